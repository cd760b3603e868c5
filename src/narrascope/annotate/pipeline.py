"""The per-document stage: parse, find actors' mentions, find quotes.

``annotate_document`` is pure: same document + same models -> same annotation, no I/O,
no global state. That is what lets ``scale/`` run it in a process pool or on Ray.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from narrascope.allocator import release_free_memory
from narrascope.annotate.components import Context, run_components
from narrascope.annotate.entities import extract_entities
from narrascope.annotate.models import Models
from narrascope.annotate.quotes import find_quotes
from narrascope.records import DocAnnotation, Document, Sentence


def masked_text(doc: Document) -> str:
    """The document text with everything outside ``doc.body`` blanked to spaces.

    Lengths and newlines are kept, so character offsets into the masked text are
    offsets into ``doc.text``: spans never need re-mapping.
    """
    if not doc.body:
        return doc.text
    chars = [c if c in "\r\n" else " " for c in doc.text]
    for start, end in doc.body:
        chars[start:end] = doc.text[start:end]
    return "".join(chars)


def annotate_parsed(doc: Document, sdoc: Doc) -> DocAnnotation:
    """Annotate a document whose masked text has already been parsed by spaCy."""
    sentences = tuple(
        Sentence(doc.doc_id, i, s.start_char, s.end_char)
        for i, s in enumerate(s for s in sdoc.sents if s.text.strip())
    )
    mentions, entities = extract_entities(sdoc, doc)
    quotes = tuple(find_quotes(sdoc, doc, mentions, entities))
    words = sum(1 for t in sdoc if not (t.is_space or t.is_punct))
    ctx = Context(doc, sdoc, sentences, tuple(mentions), tuple(entities), quotes)
    return DocAnnotation(
        doc=doc,
        sentences=sentences,
        mentions=ctx.mentions,
        entities=ctx.entities,
        quotes=quotes,
        words=words,
        extras=run_components(ctx),
    )


def annotate_document(doc: Document, models: Models) -> DocAnnotation:
    """Annotate one document (pure)."""
    with models.nlp.memory_zone():
        return annotate_parsed(doc, models.nlp(masked_text(doc)))


def annotate_documents(
    docs: Iterable[Document], models: Models, batch_size: int = 16
) -> Iterator[DocAnnotation]:
    """Annotate a stream of documents with ``nlp.pipe`` batching (one process)."""
    buf: list[Document] = []
    for doc in docs:
        buf.append(doc)
        if len(buf) >= batch_size:
            yield from _flush(buf, models)
            buf = []
    if buf:
        yield from _flush(buf, models)


def _flush(buf: list[Document], models: Models) -> Iterator[DocAnnotation]:
    # Each batch is parsed in a spaCy memory zone: the strings and lexemes its new words
    # add to the vocabulary are freed when the batch is done, so a worker's memory stays
    # flat over a long stream instead of growing with every unseen word (about 25 lexemes
    # per news article). Nothing spaCy made may outlive the zone, so the records are
    # built inside it and yielded after it closes.
    texts = [masked_text(d) for d in buf]
    with models.nlp.memory_zone():
        out = [annotate_parsed(doc, sdoc)
               for doc, sdoc in zip(buf, models.nlp.pipe(texts), strict=True)]
    release_free_memory()
    yield from out
