"""``ask(store, question, opts) -> Answer``: recognise, retrieve, compose, optionally rewrite.

One :class:`Asker` per open store keeps what is worth keeping between questions (the
encoder, cached sentence vectors, which optional tables exist); :func:`ask` is the
one-shot form the CLI uses. The optional LLM backend only rewrites the composed answer,
and its output is kept only if every sentence still cites a stored span (see ``llm.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from narrascope.ask.compose import compose
from narrascope.ask.cues import words
from narrascope.ask.llm import LLMBackend, backend_from_options, checked_rewrite
from narrascope.ask.retrieve import Encoder, Passage, Retriever, match_actors
from narrascope.ask.shapes import SHAPES, recognise
from narrascope.errors import OptionInvalid
from narrascope.records import Answer
from narrascope.store import Store

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class AskOptions:
    """Options of ``ask``, validated once.

    ``sentences``: how many evidence sentences to quote (the summary sentence comes on top);
    ``semantic``: re-rank with sentence embeddings; ``shape``: force a shape instead of
    recognising it; ``llm``: "none", "openai" (OpenAI-compatible endpoint: ``llm_endpoint``,
    ``llm_model``, or ``NARRASCOPE_LLM_ENDPOINT``/``_MODEL``/``_KEY``) or "gguf"
    (``llm_model`` is a .gguf path, needs llama-cpp-python).
    """

    sentences: int = 6
    semantic: bool = True
    shape: str | None = None
    llm: str = "none"
    llm_endpoint: str | None = None
    llm_model: str | None = None
    memory_index: bool = False  # hold first-stage postings in memory (many questions)
    rerank: int = 60  # candidates re-ranked by sentence embeddings (when ``semantic``)
    encode: int = 8  # of those, the best (by stored claim vectors) encoded exactly

    def __post_init__(self) -> None:
        if not 1 <= self.sentences <= 30:
            raise OptionInvalid(f"sentences must be between 1 and 30, got {self.sentences}")
        if self.shape is not None and self.shape not in SHAPES:
            raise OptionInvalid(f"unknown shape {self.shape!r}; valid: {', '.join(SHAPES)}")
        if not 0 <= self.rerank <= 500:
            raise OptionInvalid(f"rerank must be between 0 and 500, got {self.rerank}")
        if not 0 <= self.encode <= 500:
            raise OptionInvalid(f"encode must be between 0 and 500, got {self.encode}")
        if self.llm not in ("none", "openai", "gguf"):
            raise OptionInvalid(f"unknown llm backend {self.llm!r}; valid: none, openai, gguf")


class Asker:
    """Answers questions from one open store."""

    def __init__(self, store: Store, options: AskOptions | None = None, *,
                 encoder: Encoder | None = None, backend: LLMBackend | None = None) -> None:
        self.store = store
        self.options = options or AskOptions()
        self.retriever = Retriever(store, encoder, semantic=self.options.semantic,
                                   rerank_k=self.options.rerank, encode_k=self.options.encode)
        self.backend = backend if backend is not None else backend_from_options(self.options)
        if self.options.memory_index:
            self.retriever.load_memory_index()

    def ask(self, question: str) -> Answer:
        question = " ".join(question.split())
        if not question:
            raise OptionInvalid("the question is empty")
        shape = recognise(question)
        if self.options.shape:
            shape = replace(shape, shape=self.options.shape)
        actors = match_actors(self.store, question, self.retriever.surfaces())
        ranked = self.retriever.retrieve(question, shape.terms, actors)
        counterpart = None
        if shape.shape == "motive" and actors:
            # Why X acts is told through X's dealings with the party it is most named with:
            # fetch those sentences too, ranked against the same question.
            docs = list(dict.fromkeys(p.doc_id for p in ranked[:40]))
            counterpart = self.retriever.counterpart(
                actors[0], [a.actor_id for a in actors], docs)
            if counterpart is not None:
                x, c = actors[0], counterpart
                # The second query is made up here, not the reader's: a smaller pool, its
                # candidates ranked by their stored claim vectors against the reader's
                # question (already encoded), none encoded exactly.
                more = self.retriever.retrieve(
                    f"Relations, tensions and conflict between {x.canonical} and {c.canonical}",
                    [*words(x.canonical), *words(c.canonical), "relations", "tensions"], [x, c],
                    encode_k=0, meaning=question, pool=150)
                ranked = merge_ranked(ranked, more)
        draft = compose(shape, actors, ranked, self.options.sentences, counterpart)
        answer = Answer(question, shape.shape, tuple(draft.sentences), tuple(draft.citations),
                        tuple(a.canonical for a in actors))
        if self.backend is not None and answer.sentences:
            answer = checked_rewrite(self.backend, answer)
        return answer


def merge_ranked(a: Sequence[Passage], b: Sequence[Passage]) -> list[Passage]:
    """Union of two rankings of passages: best score wins, actors named are pooled."""
    out: dict[str, Passage] = {}
    for p in [*a, *b]:
        q = out.get(p.sid)
        if q is None:
            out[p.sid] = p
            continue
        q.actors |= p.actors
        q.score = max(q.score, p.score)
    return sorted(out.values(), key=lambda p: (-p.score, p.sid))


def ask(store: Store, question: str, opts: AskOptions | None = None, *,
        encoder: Encoder | None = None, backend: LLMBackend | None = None) -> Answer:
    """Answer ``question`` from ``store``; every answer sentence cites stored spans."""
    return Asker(store, opts, encoder=encoder, backend=backend).ask(question)


def bench_ask(store_path: str | Path, questions: Sequence[str], *,
              opts: AskOptions | None = None, encoder: Encoder | None = None,
              warmup: int = 1) -> dict[str, Any]:
    """Latency of ``ask`` over ``questions`` on a warm :class:`Asker` (model loaded once):
    ``{"p50_ms", "p95_ms", "max_ms", "n", "documents"}``."""
    opts = replace(opts or AskOptions(), memory_index=True)
    with Store.open(store_path, read_only=True) as store:
        asker = Asker(store, opts, encoder=encoder)
        for q in list(questions)[:warmup]:
            asker.ask(q)
        times, cpu = [], []
        for q in questions:
            t0, c0 = time.perf_counter(), time.process_time()
            asker.ask(q)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        docs = store.count("documents")

    def pct(xs: list[float], p: float) -> float:
        if not xs:
            return 0.0
        xs = sorted(xs)
        return round(xs[min(len(xs) - 1, max(0, round(p * (len(xs) - 1))))], 1)

    # CPU time (all threads) is reported beside wall time: on a shared machine the wall
    # time measures the queue for a core as much as the work.
    return {"p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "max_ms": pct(times, 1.0),
            "cpu_p50_ms": pct(cpu, 0.5), "cpu_p95_ms": pct(cpu, 0.95), "n": len(times),
            "documents": docs}
