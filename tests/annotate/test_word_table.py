"""The precomputed word-meaning table of the technique token model (``word_table``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narrascope.annotate import word_table
from narrascope.annotate.technique_features import EMB_DIM, N_FEATURES, TokUnit


def _projection(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=384).astype(np.float32) * 0.01,
            rng.normal(size=(384, EMB_DIM)).astype(np.float32))


def test_table_round_trips_and_is_refused_for_another_projection(tmp_path: Path) -> None:
    mean, proj = _projection()
    z = np.arange(2 * EMB_DIM, dtype=np.float32).reshape(2, EMB_DIM) / 7
    path = tmp_path / "t.npz"
    word_table.save(path, ["despot", "table"], z, word_table.fingerprint(mean, proj))
    loaded = word_table.load(path, word_table.fingerprint(mean, proj))
    assert loaded is not None
    rows, table = loaded
    assert rows == {"despot": 0, "table": 1}
    assert np.allclose(table, z.astype(np.float16).astype(np.float32))
    other = word_table.fingerprint(*_projection(seed=1))
    assert other != word_table.fingerprint(mean, proj)
    assert word_table.load(path, other) is None
    assert word_table.load(tmp_path / "absent.npz", other) is None


def test_word_pattern_keeps_word_forms_only() -> None:
    keep = [w for w in ["autocrat", "well-known", "o'clock", "Paris", "1999", "a b", ""]
            if word_table._WORD.fullmatch(w)]
    assert keep == ["autocrat", "well-known", "o'clock"]


@pytest.mark.model
def test_scores_are_the_same_with_and_without_the_table() -> None:
    """A word's block read from the table equals the one encoded on the fly, so a token's
    score does not depend on whether its word was in the table."""
    from narrascope.annotate.techniques import TokenModel

    mean, proj = _projection()
    words = ["tyrant", "table", "despot", "tyrant"]
    coef = np.zeros((1, N_FEATURES + EMB_DIM), np.float32)
    coef[0, N_FEATURES:] = np.linspace(-1, 1, EMB_DIM)
    args = (("Name_Calling-Labeling",), coef, np.array([0.1], np.float32),
            np.array([0.5], np.float32), mean, proj)
    bare = TokenModel(*args)
    vocab = ["despot", "tyrant"]
    tabled = TokenModel(*args, words={w: i for i, w in enumerate(vocab)},
                        table=word_table.build(vocab, mean, proj).astype(np.float32))
    toks = [TokUnit(0, i, 0, 1, {}) for i in range(len(words))]
    a, b = bare.scores(toks, words), tabled.scores(toks, words)
    assert np.allclose(a, b, atol=1e-6)
    assert len({round(float(x), 6) for x in a[:3, 0]}) == 3  # the block does move the score


@pytest.mark.model
def test_shipped_table_belongs_to_the_shipped_model() -> None:
    """Retraining the technique model without rebuilding the table (``make train`` does both)
    would silently make every worker encode every word again."""
    from narrascope.annotate.techniques import load_model

    model = load_model()
    if model is None or model.tokens is None or model.tokens.emb_proj is None:
        pytest.skip("no trained token model with a word-embedding block")
    assert model.tokens.table is not None
    assert len(model.tokens.words) > 40_000
    assert model.tokens.table.shape == (len(model.tokens.words), EMB_DIM)
    assert "authoritarian" in model.tokens.words


def test_feature_hash_is_the_one_the_shipped_weights_were_trained_with() -> None:
    """feature_index uses spaCy's murmurhash (no sklearn import on the analyse path); the
    weights were hashed with sklearn's murmurhash3_32(positive=True): same columns."""
    from sklearn.utils import murmurhash3_32

    from narrascope.annotate.technique_features import feature_index

    names = ["w:hello", "b:ça va", "d:amod:ünïcode", "tag:JJS", "x" * 300, "", "pat:doubt",
             "w:中文", "cue:“so-called”"]
    for name in names:
        assert feature_index(name) == murmurhash3_32(name, seed=0, positive=True) % N_FEATURES
    assert len({feature_index(n) for n in names}) == len(names)
