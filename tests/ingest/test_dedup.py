"""Near-duplicate detection with MinHash LSH."""

from __future__ import annotations

from narrascope.ingest.dedup import NearDuplicateIndex, shingles

BASE = (
    "France has accused Azerbaijan of foreign interference in the ongoing protests and rioting "
    "in the French territory of New Caledonia over a recent change to voting rights, which has "
    "triggered a state of emergency and the deployment of military forces to bolster security. "
    "The accusations also come as relations between the two countries continue to sour, largely "
    "over increased military and political support for Armenia."
)
UNRELATED = (
    "The central bank left interest rates unchanged on Wednesday, saying inflation was easing "
    "more slowly than expected and that further cuts would depend on wage growth and energy prices "
    "over the coming months, according to a statement published after the meeting."
)


def test_dedup_finds_a_near_copy_and_not_an_unrelated_text() -> None:
    index = NearDuplicateIndex()
    assert index.add("a", BASE) == []
    assert index.add("b", UNRELATED) == []
    near = BASE.replace("ongoing protests", "ongoing  protests").replace(
        "Armenia.", "Armenia, officials said."
    )
    matches = index.add("c", near)
    assert [m[0] for m in matches] == ["a"]
    assert 0.8 <= matches[0][1] <= 1.0
    assert len(index) == 3 and "c" in index


def test_dedup_is_deterministic_across_instances() -> None:
    runs = []
    for _ in range(2):
        index = NearDuplicateIndex(threshold=0.5, num_perm=64)
        index.add("a", BASE)
        runs.append(index.add("b", BASE + " Extra closing words are added here."))
    assert runs[0] == runs[1] and runs[0][0][0] == "a"


def test_dedup_exact_copy_scores_one_and_same_id_is_not_indexed_twice() -> None:
    index = NearDuplicateIndex()
    index.add("a", BASE)
    assert index.add("b", BASE) == [("a", 1.0)]
    assert index.add("a", BASE) == [("b", 1.0)]
    assert len(index) == 2


def test_dedup_empty_text_matches_nothing() -> None:
    index = NearDuplicateIndex()
    assert index.add("e1", "") == [] and index.add("e2", "  ") == []
    assert len(index) == 0


def test_dedup_shingles_are_word_five_grams() -> None:
    assert shingles("One two three four five six") == {
        "one two three four five",
        "two three four five six",
    }
    assert shingles("Too short") == {"too short"}
