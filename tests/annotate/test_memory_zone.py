"""The annotate stage frees what spaCy adds to its vocabulary for each batch.

Without a memory zone every unseen word stays in ``nlp.vocab`` (a lexeme and its strings),
so a worker's memory grows with the stream: about 25 lexemes per news article, measured
at 45,000 after 1,500 AllSides articles.
"""

from __future__ import annotations

import random
import string

from narrascope.annotate.models import load_models
from narrascope.annotate.pipeline import annotate_document, annotate_documents
from narrascope.records import Document


def _made_up_words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(string.ascii_lowercase) for _ in range(11)) for _ in range(n)]


def _doc(i: int, words: list[str]) -> Document:
    text = (f"President Ilham Aliyev of Azerbaijan met the {words[0]} delegation in Baku on "
            f"Monday. The {words[1]} talks, he said, were {words[2]} and {words[3]}. "
            + " ".join(f"The {w} committee said {x} officials would return." for w, x
                       in zip(words[4::2], words[5::2], strict=False)))
    return Document(doc_id=f"d{i}", source=f"mem-{i}.txt", text=text)


def test_vocabulary_does_not_grow_with_unseen_words() -> None:
    models = load_models()
    vocab, strings = models.nlp.vocab, models.nlp.vocab.strings
    docs = [_doc(i, _made_up_words(12, i)) for i in range(6)]
    list(annotate_documents(docs[:1], models))  # first use may add fixed entries
    # ``len(vocab)`` only ever counts up; iterating the vocabulary walks its lexeme index
    before = (sum(1 for _ in vocab), len(strings))
    out = list(annotate_documents(docs, models, batch_size=4))
    annotate_document(_doc(99, _made_up_words(12, 99)), models)
    assert (sum(1 for _ in vocab), len(strings)) == before
    # the records built inside the zone are intact after it closed
    assert [a.doc.doc_id for a in out] == [d.doc_id for d in docs]
    assert all(a.sentences and a.mentions for a in out)
    made_up = _made_up_words(12, 3)[0]
    assert made_up in docs[3].text
    assert any(made_up in c.text for c in out[3].extras["claims"])


def test_same_records_inside_and_outside_the_zone() -> None:
    """The zone frees memory only: records equal those of a plain parse."""
    from narrascope.annotate.pipeline import annotate_parsed, masked_text

    models = load_models()
    doc = _doc(7, _made_up_words(12, 7))
    plain = annotate_parsed(doc, models.nlp(masked_text(doc)))
    assert annotate_document(doc, models) == plain
    assert next(iter(annotate_documents([doc], models))) == plain
