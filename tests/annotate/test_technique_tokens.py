"""The token model of the word-level techniques and the joint threshold tuning, on hand-made
inputs (no training data needed)."""

from __future__ import annotations

import numpy as np
import pytest
from spacy.lang.en import English
from spacy.tokens import Doc

from narrascope.annotate.technique_features import (
    TOKEN_LABELS,
    candidate_token,
    doc_features,
    nrc_lexicon,
    token_features,
)
from narrascope.annotate.techniques import detect, load_model, tu_quoque
from narrascope.annotate.train_techniques import TOKEN_COLS, combine, tune_thresholds


def test_nrc_lexicon_is_read_from_the_package_data() -> None:
    nrc = nrc_lexicon()
    assert len(nrc) > 5000
    assert "disgust" in nrc["disgusting"]
    assert "said" not in nrc


@pytest.mark.model
def test_token_features_describe_affect_dependency_and_context(nlp) -> None:
    text = "The disgusting regime arrested 20 journalists on Monday."
    sdoc = nlp(text)
    units = doc_features(sdoc)
    toks = {sdoc[t.i].lower_: t for t in token_features(sdoc, units)}
    assert "the" not in toks and "20" not in toks  # stop words and numbers are not scored
    dis = toks["disgusting"].feats
    assert dis["nrc:disgust"] == 1.0
    assert any(dis.get(f"v:{v}") for v in (-2, -3))  # strongly negative in VADER
    assert dis["hl:regime"] == 1.0  # the word it modifies
    assert dis["p1:the"] == 1.0 and dis["n1:regime"] == 1.0
    assert "nrc:disgust" not in toks["monday"].feats
    t = toks["disgusting"]
    assert text[t.start : t.end] == "disgusting"
    assert all(candidate_token(sdoc[x.i]) for x in toks.values())


def test_combine_ors_the_token_model_into_its_labels_only() -> None:
    sent = np.zeros((2, 23), bool)
    tok = np.zeros((2, len(TOKEN_LABELS)), bool)
    tok[1, 0] = True
    out = combine(sent, tok)
    assert out[1, TOKEN_COLS[0]] and out.sum() == 1
    assert not combine(sent, None).any()


def test_joint_tuning_turns_on_a_token_column_only_when_it_helps() -> None:
    rng = np.random.default_rng(0)
    n = 400
    gold = np.zeros((n, 23), np.int8)
    gold[: n // 2, TOKEN_COLS[0]] = 1
    sent = rng.uniform(0, 0.04, (n, 23))  # the sentence model knows nothing
    tok = rng.uniform(0, 0.9, (n, len(TOKEN_LABELS)))  # noise on labels nobody has
    tok[:, 0] = rng.uniform(0, 0.04, n)
    tok[: n // 2, 0] = 0.8  # the token model separates label 0 perfectly
    th, tth = tune_thresholds(sent, gold, tok_scores=tok)
    assert 0.04 < tth[0] <= 0.8
    assert not (tok[:, 1:] >= tth[1:]).any()  # noisy columns stay off
    pred = combine(sent >= th, tok >= tth)
    assert (pred[:, TOKEN_COLS[0]] == gold[:, TOKEN_COLS[0]].astype(bool)).all()


def test_tu_quoque_looks_past_a_misattached_participle() -> None:
    # "recalled the history of his country committing crimes", parsed with the participle
    # hung on "recalled" (a common attachment error): the wrongdoing is in the verb's clause.
    words = ["The", "minister", "recalled", "the", "history", "of", "his", "country",
             "committing", "crimes", "."]
    heads = [1, 2, 2, 4, 2, 4, 7, 5, 2, 8, 2]
    deps = ["det", "nsubj", "ROOT", "det", "dobj", "prep", "poss", "pobj", "advcl", "dobj",
            "punct"]
    pos = ["DET", "NOUN", "VERB", "DET", "NOUN", "ADP", "PRON", "NOUN", "VERB", "NOUN", "PUNCT"]
    lemmas = ["the", "minister", "recall", "the", "history", "of", "his", "country", "commit",
              "crime", "."]
    sdoc = Doc(English().vocab, words=words, heads=heads, deps=deps, pos=pos, lemmas=lemmas)
    hits = list(tu_quoque(sdoc))
    assert len(hits) == 1
    s, e, _, _ = hits[0]
    assert sdoc.text[s:e] == "recalled the history of his country committing crimes"
    # without a wrongdoing word the same structure is no tu quoque
    lemmas2 = [*lemmas[:9], "bridge", "."]
    words2 = [*words[:9], "bridges", "."]
    sdoc2 = Doc(English().vocab, words=words2, heads=heads, deps=deps, pos=pos, lemmas=lemmas2)
    assert list(tu_quoque(sdoc2)) == []


needs_tokens = pytest.mark.skipif(
    load_model() is None or load_model().tokens is None,  # type: ignore[union-attr]
    reason="token model not trained")


@needs_tokens
@pytest.mark.model
def test_token_model_puts_loaded_language_on_the_phrase(nlp) -> None:
    text = ("The spokesman said the territories were revolting remnants of a bloody empire. "
            "The talks will resume in Geneva on Tuesday, officials said.")
    found = [t for t in detect(nlp(text), "d") if "token model" in t.reason]
    assert found, "the token model finds the charged phrase"
    for t in found:
        assert t.label in TOKEN_LABELS
        phrase = text[t.start : t.end]
        assert len(phrase) < t.sent_end - t.sent_start  # a phrase, not the sentence
        assert t.start < text.index("Geneva")
        assert 0 < t.confidence <= 1
    assert any("revolting" in text[t.start : t.end] or "bloody" in text[t.start : t.end]
               for t in found)


@pytest.mark.model
def test_token_model_reads_word_meaning_through_the_embedding_block() -> None:
    from narrascope.annotate.technique_features import EMB_DIM, N_FEATURES, TokUnit, word_vectors
    from narrascope.annotate.techniques import TokenModel

    vecs = word_vectors(["dictator", "tyrant", "table", "dictator"])
    assert vecs.shape == (4, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
    assert np.array_equal(vecs[0], vecs[3])
    # a model whose only weight is the "dictator" direction of the embedding block
    proj = np.zeros((384, EMB_DIM), np.float32)
    proj[:, 0] = vecs[0]
    coef = np.zeros((1, N_FEATURES + EMB_DIM), np.float32)
    coef[0, N_FEATURES] = 8.0
    tm = TokenModel(("Name_Calling-Labeling",), coef, np.array([-4.0], np.float32),
                    np.array([0.5], np.float32), np.zeros(384, np.float32), proj)
    toks = [TokUnit(0, i, 0, 1, {}) for i in range(3)]
    q = tm.scores(toks, ["tyrant", "despot", "table"])
    assert q[0, 0] > q[2, 0] and q[1, 0] > q[2, 0]  # words never seen, judged by meaning


def test_analyse_path_needs_a_word_for_a_word_level_label() -> None:
    from narrascope.annotate.train_techniques import analyse_path

    ps = np.zeros((3, 23))
    pq = np.zeros((3, len(TOKEN_LABELS)))
    th, tth = np.full(23, 0.1), np.full(len(TOKEN_LABELS), 0.2)
    ll, doubt = TOKEN_COLS[0], 9  # Loaded_Language (a token label), Doubt (not one)
    ps[:, ll] = 0.6  # the sentence model is sure everywhere
    ps[:, doubt] = 0.6
    pq[1, 0] = 0.25  # a word over the token threshold, under the token floor
    pq[2, 0] = 0.9  # a word over both
    out = analyse_path(ps, pq, th, tth, floor=0.3, token_floor=0.5)
    assert out[:, ll].tolist() == [False, True, True]
    assert out[:, doubt].all()  # labels the token model has nothing to say about stand alone
    ps[:, ll] = 0.0
    assert analyse_path(ps, pq, th, tth, 0.3, 0.5)[:, ll].tolist() == [False, False, True]
