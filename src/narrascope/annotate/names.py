"""Person-name comparison shared by in-document grouping and cross-document linking.

Spelling variants of one name ("Gérard"/"Gérald Darmanin", "Aliyev"/"Aliev") are common in
translated news; two people sharing a surname ("Bill"/"Hillary Clinton") are common too.
Names match when the surnames are equal and the first names similar, or the surnames are
near-identical and the first names equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from narrascope.annotate.gazetteer import norm

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def person_tokens(name: str) -> list[str]:
    """Normalised name tokens without honorifics, middle initials and generational suffixes."""
    toks = [t.strip(",") for t in norm(name).replace("-", " - ").split()]
    toks = [t for t in toks if t and t != "-" and t not in _HONORIFICS]
    while len(toks) > 1 and toks[-1] in _SUFFIXES:
        toks.pop()
    if len(toks) > 2:
        toks = [toks[0]] + [t for t in toks[1:-1] if len(t) > 1] + [toks[-1]]
    return toks or [norm(name)]


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity in [0, 1]."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(la, lb) // 2 - 1
    ma, mb = [False] * la, [False] * lb
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(lb, i + window + 1)):
            if not mb[j] and b[j] == ch:
                ma[i] = mb[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    sa = [c for c, m in zip(a, ma, strict=True) if m]
    sb = [c for c, m in zip(b, mb, strict=True) if m]
    trans = sum(x != y for x, y in zip(sa, sb, strict=True)) / 2
    jaro = (matches / la + matches / lb + (matches - trans) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


# Characters are counted in this many buckets (code point modulo a prime: the 26 ASCII
# letters fall in 26 different ones). Bucket counts only loosen the bound below.
_BUCKETS = 61
# Pairs of strings scored at once by :func:`jaro_winkler_candidates` (bounds the memory of
# one step to about 8 MB of bucket minima).
_PAIR_CELLS = 1 << 22
# Up to this many strings, every pair is a candidate.
_ALL_PAIRS = 12


def jaro_winkler_candidates(strings: Sequence[str], threshold: float,
                            min_len: int = 1) -> list[list[int]]:
    """For each string, the indices of the other strings (both at least ``min_len``
    characters long) whose :func:`jaro_winkler` similarity with it *can* reach
    ``threshold``; every pair that does reach it is among them (a necessary condition).

    The bound: a Jaro match pairs equal characters, so the matches ``m`` are at most the
    characters two strings share counted with multiplicity ``I``, and
    ``jaro <= (I/|a| + I/|b| + 1) / 3``; the Winkler boost grows with jaro for a given
    common prefix, which is computed exactly. Vectorised over all pairs (numpy), so the
    exact score runs only on the few pairs that survive: among the surnames that share a
    first name in 1,500 news articles, about 0.3% of pairs.
    """
    out: list[list[int]] = [[] for _ in strings]
    idx = [k for k, s in enumerate(strings) if len(s) >= min_len]
    n = len(idx)
    if n < 2:
        return out
    if n <= _ALL_PAIRS:  # the bound would cost more than the scores it saves
        for k in idx:
            out[k] = [c for c in idx if c != k]
        return out
    counts = np.zeros((n, _BUCKETS), np.int32)
    prefix = np.full((n, 4), -1, np.int64)
    for r, k in enumerate(idx):
        s = strings[k]
        np.add.at(counts[r], [ord(ch) % _BUCKETS for ch in s], 1)
        prefix[r, : min(4, len(s))] = [ord(ch) for ch in s[:4]]
    lens = np.array([len(strings[k]) for k in idx], np.float64)
    step = max(1, _PAIR_CELLS // (n * _BUCKETS))
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        shared = np.minimum(counts[r0:r1, None, :], counts[None, :, :]).sum(axis=2)
        jaro = (shared / lens[r0:r1, None] + shared / lens[None, :] + 1.0) / 3.0
        same = (prefix[r0:r1, None, :] == prefix[None, :, :]) & (prefix[r0:r1, None, :] >= 0)
        common = np.cumprod(same, axis=2).sum(axis=2)
        bound = jaro + common * 0.1 * (1.0 - jaro)
        # a margin far above float rounding: the bound may only err on the side of keeping
        hit = bound >= threshold - 1e-9
        for r, c in zip(*np.nonzero(hit), strict=True):
            if r0 + r != c:
                out[idx[r0 + r]].append(idx[c])
    return out


# First names of one surname match from this similarity; surnames of one first name from
# this one, when both have at least LAST_MIN_LEN letters.
FIRST_SIMILAR = 0.9
LAST_SIMILAR = 0.93
LAST_MIN_LEN = 5


def _first_similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return jaro_winkler(a, b) >= FIRST_SIMILAR


def _last_similar(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= LAST_MIN_LEN and jaro_winkler(a, b) >= LAST_SIMILAR)


def first_name_partners(firsts: Sequence[str]) -> dict[str, list[str]]:
    """For the first names of people who share a surname (distinct, non-empty), the first
    names each may be matched with by :func:`same_person_name` (itself included): the
    same, an initial and a name it starts, or a pair :func:`jaro_winkler_candidates` keeps."""
    cands = jaro_winkler_candidates(firsts, FIRST_SIMILAR, min_len=2)
    starts: dict[str, list[str]] = defaultdict(list)
    for f in firsts:
        starts[f[:1]].append(f)
    singles = {f for f in firsts if len(f) == 1}
    out: dict[str, list[str]] = {}
    for f, near in zip(firsts, cands, strict=True):
        keep = {f, *(firsts[k] for k in near)}
        if len(f) == 1:
            keep.update(starts[f])
        elif f[:1] in singles:
            keep.add(f[:1])
        out[f] = sorted(keep)
    return out


def surname_partners(lasts: Sequence[str]) -> dict[str, list[str]]:
    """For the surnames of people who share a first name (distinct), the surnames each may
    be matched with by :func:`same_person_name` (itself included)."""
    cands = jaro_winkler_candidates(lasts, LAST_SIMILAR, min_len=LAST_MIN_LEN)
    return {s: sorted({s, *(lasts[k] for k in near)}) for s, near in zip(lasts, cands, strict=True)}


def same_person_name(a: list[str], b: list[str]) -> bool:
    """Do two token lists (from :func:`person_tokens`) name the same person?"""
    if len(a) < 2 or len(b) < 2:
        return False
    if a[-1] == b[-1]:
        return _first_similar(a[0], b[0])
    return a[0] == b[0] and _last_similar(a[-1], b[-1])
