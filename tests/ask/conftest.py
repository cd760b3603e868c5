"""A tiny hand-built store about a made-up dispute (Freedonia vs Sylvania), with FTS."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from narrascope.records import (
    Actor,
    DocAnnotation,
    Document,
    LocalEntity,
    Mention,
    Quote,
    Sentence,
)
from narrascope.store import Store

DOCS = {
    "a.txt": ("Daily Post", "2031-03-02", [
        "Freedonia and Sylvania signed a trade agreement in Sylvania last year.",
        "Interior Minister Rufus Firefly accused Sylvania of interference in the Freedonia "
        "elections, without providing any evidence.",
        "Sylvania denied the allegations on Tuesday.",
    ]),
    "b.txt": ("Evening Star", "2031-03-03", [
        "Relations between Freedonia and Sylvania have soured over a border dispute.",
        "Officials said they detected fake accounts linked to Sylvania.",
        "Is Sylvania really to blame?",
    ]),
}
ACTORS = {"Freedonia": "country:FD", "Sylvania": "country:SY", "Rufus Firefly": None}


def stub_encoder(texts: Sequence[str]) -> np.ndarray:
    """Bag-of-words vectors hashed into 384 dims, L2-normalised (stands in for MiniLM)."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in re.findall(r"\w+", t.lower()):
            out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 384] += 1.0
        n = np.linalg.norm(out[i])
        if n:
            out[i] /= n
    return out


def _annotation(source: str, outlet: str, published: str, sents: list[str]) -> DocAnnotation:
    doc_id = "d" + source[0]
    text = " ".join(sents)
    sentences, mentions, entities, quotes = [], [], {}, []
    pos = 0
    for i, s in enumerate(sents):
        sentences.append(Sentence(doc_id, i, pos, pos + len(s)))
        for name in ACTORS:
            for m in re.finditer(re.escape(name), s):
                local = list(ACTORS).index(name)
                entities.setdefault(local, LocalEntity(
                    doc_id, local, name, "PERSON" if " " in name else "GPE", ACTORS[name],
                    affiliation="country:FD" if " " in name else None))
                mentions.append(Mention(doc_id, len(mentions), pos + m.start(), pos + m.end(),
                                        name, "NAME", "PERSON" if " " in name else "GPE",
                                        local, i))
        pos += len(s) + 1
    if source == "a.txt":
        start = text.index("accused")
        quotes.append(Quote(doc_id, 0, start, text.index(", without"), False, "accused",
                            speaker_text="Interior Minister Rufus Firefly",
                            speaker_start=text.index("Rufus"), speaker_end=text.index(" accused"),
                            speaker_local_id=2))
    doc = Document(doc_id=doc_id, source=source, text=text, outlet=outlet, published=published)
    return DocAnnotation(doc=doc, sentences=tuple(sentences), mentions=tuple(mentions),
                         entities=tuple(entities.values()), quotes=tuple(quotes))


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ask") / "out"
    anns = [_annotation(src, *rest) for src, rest in DOCS.items()]
    with Store(out) as st:
        st.write_batch(anns, "t")
        st.record_sources([(a.doc.source, 0, a.doc.doc_id) for a in anns])
        actors = [Actor(f"act{i}", n, "PERSON" if " " in n else "GPE", k)
                  for i, (n, k) in enumerate(ACTORS.items())]
        links = {(a.doc.doc_id, e.local_id): f"act{e.local_id}" for a in anns for e in a.entities}
        st.replace_actors(actors, links)
        st.build_fts()
    return out


@pytest.fixture()
def store(store_dir: Path):
    with Store.open(store_dir, read_only=True) as st:
        yield st
