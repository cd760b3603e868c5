"""Read and parse a labelled training corpus once, caching the spaCy parse in /tmp.

Developer tool for the training scripts (``train_techniques``, ``train_roles``), never on
the analyse path. Texts are read exactly as the gold offsets count them (UTF-8, a BOM kept
as one character), parsed with the same pipeline ``annotate`` uses, and the parse is kept
as a spaCy DocBin keyed by a hash of the texts, so a second run (or the CV and the final
fit) does not parse 400k words again on a shared 2-core machine.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin

from narrascope.annotate.models import load_models

LOGGER = logging.getLogger(__name__)
CACHE_DIR = Path("/tmp/narrascope-train-cache")


@dataclass
class Article:
    """One training article: file name, text (as the gold offsets count it) and its parse."""

    name: str
    text: str
    sdoc: Doc


def read_texts(corpus: Path) -> dict[str, str]:
    """File name -> text for every ``.txt`` of a corpus folder, sorted by name."""
    out: dict[str, str] = {}
    for p in sorted(corpus.glob("*.txt")):
        with open(p, encoding="utf-8", newline="") as fh:
            out[p.name] = fh.read()
    return out


def load_gold(data_dir: Path) -> dict[str, Any]:
    with open(data_dir / "gold.json", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def parse_corpus(corpus: Path, cache_dir: Path = CACHE_DIR) -> list[Article]:
    """Parse every article of ``corpus`` (cached by content hash)."""
    texts = read_texts(corpus)
    h = hashlib.sha1()
    for name, text in texts.items():
        h.update(name.encode())
        h.update(text.encode("utf-8", "surrogatepass"))
    models = load_models()
    cache = cache_dir / f"{corpus.parent.name}-{h.hexdigest()[:12]}.spacy"
    names = list(texts)
    if cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(models.nlp.vocab))
        if len(docs) == len(names):
            return [Article(n, texts[n], d) for n, d in zip(names, docs, strict=True)]
    LOGGER.info("parsing %d articles of %s", len(names), corpus)
    docs = list(models.nlp.pipe((texts[n] for n in names), batch_size=16))
    cache_dir.mkdir(parents=True, exist_ok=True)
    db = DocBin(store_user_data=False)
    for d in docs:
        db.add(d)
    db.to_disk(cache)
    return [Article(n, texts[n], d) for n, d in zip(names, docs, strict=True)]
