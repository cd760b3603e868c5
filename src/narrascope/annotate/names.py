"""Person-name comparison shared by in-document grouping and cross-document linking.

Spelling variants of one name ("Gérard"/"Gérald Darmanin", "Aliyev"/"Aliev") are common in
translated news; two people sharing a surname ("Bill"/"Hillary Clinton") are common too.
Names match when the surnames are equal and the first names similar, or the surnames are
near-identical and the first names equal.
"""

from __future__ import annotations

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


def _first_similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return jaro_winkler(a, b) >= 0.9


def _last_similar(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 5 and jaro_winkler(a, b) >= 0.93)


def same_person_name(a: list[str], b: list[str]) -> bool:
    """Do two token lists (from :func:`person_tokens`) name the same person?"""
    if len(a) < 2 or len(b) < 2:
        return False
    if a[-1] == b[-1]:
        return _first_similar(a[0], b[0])
    return a[0] == b[0] and _last_similar(a[-1], b[-1])
