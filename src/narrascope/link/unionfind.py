"""Disjoint sets for the link passes that merge items into groups (actors, claims)."""

from __future__ import annotations

from array import array


class UnionFind:
    """Union-find over ``0..n-1`` with path halving; the smaller index becomes the root,
    so groups come out the same whatever order pairs are merged in. Parents are machine
    integers (8 bytes each, not a Python int object each)."""

    def __init__(self, n: int) -> None:
        self.p = array("q", range(n))

    def find(self, x: int) -> int:
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)
