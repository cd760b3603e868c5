"""Person-name comparison: the candidate bound behind the actors pass's blocks must never
drop a pair the exact comparison accepts."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from narrascope.annotate import names
from narrascope.annotate.names import (
    FIRST_SIMILAR,
    LAST_MIN_LEN,
    LAST_SIMILAR,
    first_name_partners,
    jaro_winkler,
    jaro_winkler_candidates,
    same_person_name,
    surname_partners,
)

# Few letters (and a few outside ASCII) so that random strings are often near each other.
_WORD = st.text(alphabet="aeilnorstvyéđ", min_size=1, max_size=12)
_WORDS = st.lists(_WORD, min_size=14, max_size=40, unique=True)


def _reachable(strings, threshold, min_len):
    return {(a, b) for a, b in itertools.permutations(range(len(strings)), 2)
            if min(len(strings[a]), len(strings[b])) >= min_len
            and jaro_winkler(strings[a], strings[b]) >= threshold}


@settings(max_examples=150, deadline=None)
@given(_WORDS, st.sampled_from([0.8, FIRST_SIMILAR, LAST_SIMILAR]), st.integers(1, 5))
def test_candidates_hold_every_pair_at_or_above_the_threshold(strings, threshold, min_len):
    cands = jaro_winkler_candidates(strings, threshold, min_len)
    kept = {(a, b) for a, near in enumerate(cands) for b in near}
    assert _reachable(strings, threshold, min_len) <= kept
    assert all(a not in near for a, near in enumerate(cands))


def test_candidates_prune_unrelated_names():
    surnames = ["martinon", "martinez", "aliyev", "aliev", "macron", "smith", "jones",
                "darmanin", "dorescu", "haldovych", "reshko", "vrhovnik", "bizjak", "jerman"]
    cands = jaro_winkler_candidates(surnames, LAST_SIMILAR, LAST_MIN_LEN)
    by_name = {surnames[a]: {surnames[b] for b in near} for a, near in enumerate(cands)}
    assert "aliev" in by_name["aliyev"]  # 0.967: a real spelling variant stays a candidate
    assert not by_name["smith"]  # shares too few letters with anything here
    assert sum(map(len, cands)) < len(surnames) * (len(surnames) - 1) / 4


@settings(max_examples=100, deadline=None)
@given(_WORDS)
def test_partners_hold_every_name_same_person_name_accepts(parts):
    firsts, lasts = first_name_partners(parts), surname_partners(parts)
    for a, b in itertools.product(parts, repeat=2):
        if same_person_name([a, "zz"], [b, "zz"]):  # one surname: first names compared
            assert b in firsts[a]
        if same_person_name(["zz", a], ["zz", b]):  # one first name: surnames compared
            assert b in lasts[a]


def test_initials_are_partners_of_the_names_they_start():
    firsts = first_name_partners(["j", "john", "jane", "mary", *(f"x{i}" for i in range(20))])
    assert {"john", "jane"} <= set(firsts["j"])
    assert "j" in firsts["john"]
    assert "mary" not in firsts["j"]


def test_many_surnames_of_one_first_name_are_not_compared_pairwise(monkeypatch):
    """The reason for the bound: 300 distinct Johns used to cost 300 x 299 / 2 scores."""
    calls = []
    real = names.jaro_winkler
    monkeypatch.setattr(names, "jaro_winkler", lambda a, b: calls.append(1) or real(a, b))
    lasts = [f"{a}{b}{c}son" for a, b, c in itertools.product("bdkmprt", "aeiou", "lnrst")][:300]
    partners = surname_partners(lasts)
    n_pairs = sum(len(v) - 1 for v in partners.values())
    assert n_pairs < 300 * 299 / 10
    assert not calls  # the bound itself computes no score
