"""Small general lexicons the claims pass uses to tell agreement from opposition.

Why a hand-made list: there is no NLI model or WordNet in the pinned environment, and the
oppositions that matter in news are few and general (declare / lift, support / oppose,
voluntary / forced). Each entry is a pair of word sets (lemmas, lower case) whose members
contradict each other when said of the same thing. None is specific to any story.
"""

from __future__ import annotations

ANTONYMS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split())) for a, b in (
        ("declare impose introduce", "lift end revoke"),
        ("support back endorse side help", "oppose condemn reject fight"),
        ("accept approve agree", "reject refuse veto"),
        ("confirm admit acknowledge", "deny refute dispute"),
        ("increase rise grow raise", "decrease fall drop cut reduce"),
        ("win", "lose"),
        ("allow permit authorize", "ban forbid prohibit block"),
        ("legal lawful legitimate", "illegal unlawful illegitimate"),
        ("true accurate", "false fake inaccurate"),
        ("voluntarily voluntary willingly freely", "forcibly forced cleansing expel deport evict "
         "coerce expulsion deportation"),
        ("peaceful", "violent"),
        ("open", "close"),
        ("release free", "arrest detain imprison"),
        ("withdraw retreat", "deploy advance invade"),
        ("guilty", "innocent"),
        ("alive survive", "dead die kill"),
        ("succeed", "fail"),
        ("sign", "reject"),
    )
)

# Counted things whose total only grows over time: a later, higher figure is an update,
# not a contradiction.
CUMULATIVE_UNITS = frozenset({
    "deaths", "injured", "arrested", "arrests", "displaced", "missing", "evacuated",
    "cases", "wounded", "detained", "refugees", "casualties",
})
# Prefix of counts of occurrences of an action ("fined boats 14 times" is "times fine"):
# such a running count only grows too.
OCCURRENCE_PREFIX = "times "


def cumulative(unit: str) -> bool:
    """Whether figures of ``unit`` are running totals (a later, higher one updates)."""
    return unit in CUMULATIVE_UNITS or unit.startswith(OCCURRENCE_PREFIX)


# Units too generic to compare across documents without more context.
GENERIC_UNITS = frozenset({"count", "year", "years", "percent", "day", "days", "month",
                           "months", "week", "weeks", "hour", "hours", "time", "times"})
# Number words that stand for an order of magnitude, not a figure ("millions suffered").
VAGUE_NUMBERS = frozenset({"dozens", "hundreds", "thousands", "millions", "billions", "tens",
                           "scores", "several", "many", "some", "few"})


# word -> indices of the ANTONYMS entries holding it: the claims pass asks about ~10^5
# claim pairs, and most share no word with any entry.
_ENTRIES_OF: dict[str, frozenset[int]] = {}
for _i, (_l, _r) in enumerate(ANTONYMS):
    for _w in _l | _r:
        _ENTRIES_OF[_w] = _ENTRIES_OF.get(_w, frozenset()) | {_i}


_ALL_WORDS = frozenset(_ENTRIES_OF)


def _entries(words: set[str]) -> set[int]:
    out: set[int] = set()
    for w in words:
        hit = _ENTRIES_OF.get(w)
        if hit:
            out |= hit
    return out


def antonym_hit(a: set[str], b: set[str]) -> tuple[str, str] | None:
    """The first pair (word of ``a``, word of ``b``) that the lexicon calls opposite."""
    la, lb = a & _ALL_WORDS, b & _ALL_WORDS  # set intersections in C: most pairs stop here
    if not la or not lb:
        return None
    both = _entries(la) & _entries(lb)
    for i in sorted(both):  # entries in lexicon order: the first hit wins, as before
        left, right = ANTONYMS[i]
        for x, y in ((left, right), (right, left)):
            wa, wb = a & x, b & y
            if wa and wb and not (a & y) and not (b & x):
                return min(wa), min(wb)
    return None
