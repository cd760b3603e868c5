"""Near-duplicate articles: MinHash LSH over word 5-shingles (datasketch).

Wire copy and syndicated articles reach a corpus many times with small edits; the
caller uses this to group them. Deterministic: fixed seed, no global state.
"""

from __future__ import annotations

import re
import unicodedata

from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 5
SEED = 1
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Lower-cased word ``size``-grams of ``text`` (the whole text if it is shorter)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


class NearDuplicateIndex:
    """Texts added one by one; each ``add`` reports the earlier near-duplicates.

    ``threshold`` is the Jaccard similarity (of word 5-shingle sets) above which two
    texts count as near-duplicates; the LSH estimate is approximate, so candidates are
    re-checked against their MinHash estimate before being reported.
    """

    def __init__(self, threshold: float = 0.8, num_perm: int = 128) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._hashes: dict[str, MinHash] = {}
        self._order: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._hashes)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._hashes

    def minhash(self, text: str) -> MinHash:
        """The MinHash of ``text``'s shingles, with the index's fixed seed."""
        mh = MinHash(num_perm=self.num_perm, seed=SEED)
        for shingle in sorted(shingles(text)):
            mh.update(shingle.encode("utf-8"))
        return mh

    def add(self, doc_id: str, text: str) -> list[tuple[str, float]]:
        """Index ``text`` under ``doc_id``; earlier near-duplicates as ``(doc_id, jaccard)``.

        Sorted by decreasing estimated Jaccard, then insertion order. Adding an id a
        second time only returns its matches (it is not indexed twice). Empty texts
        match nothing.
        """
        mh = self.minhash(text)
        empty = not shingles(text)
        matches: list[tuple[str, float]] = []
        if not empty:
            for other in self._lsh.query(mh):
                if other == doc_id:
                    continue
                score = float(mh.jaccard(self._hashes[other]))
                if score >= self.threshold:
                    matches.append((other, round(score, 4)))
        matches.sort(key=lambda m: (-m[1], self._order[m[0]]))
        if doc_id not in self._hashes and not empty:
            self._lsh.insert(doc_id, mh)
            self._hashes[doc_id] = mh
            self._order[doc_id] = len(self._order)
        return matches
