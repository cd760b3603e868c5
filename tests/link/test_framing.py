"""The framing link pass: outlet x technique rates and outlet x actor roles/tone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrascope.link.framing import framing_pass
from narrascope.link.framing import framing_rows as _FRAMING_ROWS  # the real one, not a spy
from narrascope.records import (
    Actor,
    ActorTone,
    DocAnnotation,
    Document,
    EntityRole,
    LocalEntity,
    Mention,
    Technique,
)
from narrascope.store import Store


def _ann(doc_id: str, outlet: str, words: int, extras: dict[str, tuple[object, ...]]) -> DocAnnotation:
    text = "France is a disgusting colonial power. Azerbaijan stands for peace."
    doc = Document(doc_id=doc_id, source=f"{doc_id}.txt", text=text, outlet=outlet)
    mentions = (
        Mention(doc_id, 0, 0, 6, "France", "NAME", "GPE", 1, 0),
        Mention(doc_id, 1, 39, 49, "Azerbaijan", "NAME", "GPE", 2, 1),
    )
    entities = (LocalEntity(doc_id, 1, "France", "GPE"), LocalEntity(doc_id, 2, "Azerbaijan", "GPE"))
    return DocAnnotation(doc, mentions=mentions, entities=entities, words=words, extras=extras)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    a = _ann("d1", "Baku Daily", 500, {
        "techniques": (
            Technique("d1", 0, 12, 38, "Loaded_Language", 0.8, "cues", 0, 38),
            Technique("d1", 1, 0, 38, "Name_Calling-Labeling", 0.6, "cues", 0, 38),
            Technique("d1", 2, 39, 67, "Loaded_Language", 0.5, "cues", 39, 67, quoted=True),
        ),
        "roles": (
            EntityRole("d1", 1, "France", "Antagonist", 0.9, ("Instigator",), "reporting",
                       None, (0,), (6,)),
            EntityRole("d1", 2, "Azerbaijan", "Protagonist", 0.7, (), "quoted", "Protagonist",
                       (39,), (49,)),
        ),
        "tone": (
            ActorTone("d1", 1, "France", "reporting", 1, -0.6, 1, 0, 0, 38),
            ActorTone("d1", 1, "France", "quoted", 2, 0.2, 0, 1, 0, 38),
            ActorTone("d1", 2, "Azerbaijan", "reporting", 1, 0.3, 0, 1, 39, 49),
        ),
    })
    b = _ann("d2", "Wire", 2000, {
        "techniques": (Technique("d2", 0, 12, 38, "Loaded_Language", 0.7, "cues", 0, 38),),
        "roles": (EntityRole("d2", 1, "France", "Protagonist", 0.6, (), "reporting", None,
                             (0,), (6,)),),
        "tone": (ActorTone("d2", 1, "France", "reporting", 3, 0.4, 0, 2, 0, 38),),
    })
    with Store(tmp_path / "s") as st:
        st.write_batch([a, b], "test")
        st.replace_actors(
            [Actor("fr", "France", "GPE"), Actor("az", "Azerbaijan", "GPE")],
            {("d1", 1): "fr", ("d2", 1): "fr", ("d1", 2): "az", ("d2", 2): "az"},
        )
        framing_pass(st)
        yield st


def _rows(st: Store, kind: str) -> dict[tuple[str, str], dict[str, object]]:
    return {(r["outlet"], r["subject"]): r for r in st.query(
        "SELECT * FROM outlet_framing WHERE kind = ?", [kind])}


def test_framing_pass_counts_techniques_per_1000_words_of_each_outlet(store: Store) -> None:
    t = _rows(store, "technique")
    assert t[("Baku Daily", "Loaded_Language")]["count"] == 1  # the quoted one is apart
    assert t[("Baku Daily", "Loaded_Language")]["quoted_count"] == 1
    assert t[("Baku Daily", "Loaded_Language")]["per_1000_words"] == pytest.approx(2.0)
    assert t[("Wire", "Loaded_Language")]["per_1000_words"] == pytest.approx(0.5)
    assert json.loads(str(t[("Wire", "Loaded_Language")]["examples"])) == [["d2", 12, 38]]


def test_framing_pass_compares_roles_and_tone_in_the_reporting_voice_only(store: Store) -> None:
    a = _rows(store, "actor")
    fr_baku, fr_wire = a[("Baku Daily", "fr")], a[("Wire", "fr")]
    assert (fr_baku["antagonist"], fr_baku["top_role"]) == (1, "Antagonist")
    assert (fr_wire["protagonist"], fr_wire["top_role"]) == (1, "Protagonist")
    assert fr_baku["tone_reporting"] == pytest.approx(-0.6)
    assert fr_baku["tone_quoted"] == pytest.approx(0.2)
    # Azerbaijan's role came only from quotes: no outlet-voice row for it
    assert ("Baku Daily", "az") not in a


def test_tone_read_in_slices_of_the_actors_gives_the_same_means(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrascope.link import framing
    from narrascope.link.framing import _tone

    whole = _tone(store.con)
    assert whole[("Baku Daily", "fr")] == (-0.6, 0.2)
    assert whole[("Baku Daily", "az")] == (0.3, None)
    assert whole[("Wire", "fr")] == (0.4, None)
    for rows in (1, 2):  # one slice per tone row, and two rows a slice
        monkeypatch.setattr(framing, "TONE_SLICE", rows)
        assert _tone(store.con) == whole


def test_roles_grouped_in_slices_of_the_actors_give_the_same_rows(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrascope.link import framing

    # a third document puts two role rows in the (Wire, France) group
    store.write_batch([_ann("d3", "Wire", 300, {"roles": (
        EntityRole("d3", 1, "France", "Antagonist", 0.8, (), "reporting", None, (0,), (6,)),
    )})], "test")
    store.replace_actors(
        [Actor("fr", "France", "GPE"), Actor("az", "Azerbaijan", "GPE")],
        {(d, i): ("fr", "az")[i - 1] for d in ("d1", "d2", "d3") for i in (1, 2)})
    whole = framing.framing_rows(store)
    wire_fr = [r for r in whole if (r["outlet"], r["subject"]) == ("Wire", "fr")]
    assert [(r["documents"], r["protagonist"], r["antagonist"]) for r in wire_fr] == [(2, 1, 1)]
    for rows in (1, 2):  # one slice per role row, and two rows a slice
        monkeypatch.setattr(framing, "ROLE_SLICE", rows)
        assert framing.framing_rows(store) == whole


def test_framing_pass_is_idempotent(store: Store) -> None:
    before = store.count("outlet_framing")
    framing_pass(store)
    assert store.count("outlet_framing") == before


def test_tone_mean_does_not_depend_on_summation_order() -> None:
    from narrascope.link.framing import _weighted

    # naive left-to-right float sums give 0.0 for one order and 1/3 for the other
    assert _weighted([1e16, 1.0, -1e16], [1, 1, 1]) == round(1 / 3, 4)
    assert _weighted([1.0, 1e16, -1e16], [1, 1, 1]) == round(1 / 3, 4)
    assert _weighted([0.5, -0.25], [3, 1]) == round((1.5 - 0.25) / 4, 4)
    assert _weighted([], []) is None and _weighted(None, None) is None


def _table(st: Store) -> list[dict[str, object]]:
    return st.query("SELECT * FROM outlet_framing ORDER BY outlet, kind, subject")


def _from_scratch(st: Store) -> list[dict[str, object]]:
    return sorted(_FRAMING_ROWS(st), key=lambda r: (r["outlet"], r["kind"], r["subject"]))



def test_framing_pass_recomputes_only_the_outlets_whose_inputs_changed(store: Store,
                                                                        monkeypatch) -> None:
    """A new document of one outlet recomputes that outlet only; an actor renamed by the
    actors pass recomputes the outlets naming it; an outlet whose documents are gone loses
    its rows. After each, the table equals a from-scratch computation."""
    import narrascope.link.framing as framing

    seen: list[list[str] | None] = []
    real = framing.framing_rows

    def spy(st, outlets=None):  # type: ignore[no-untyped-def]
        seen.append(None if outlets is None else sorted(outlets))
        return real(st, outlets)

    monkeypatch.setattr(framing, "framing_rows", spy)
    assert _table(store) == _from_scratch(store)
    framing.framing_pass(store)  # nothing changed
    assert seen == []
    c = _ann("d3", "Wire", 800, {
        "techniques": (Technique("d3", 0, 0, 6, "Doubt", 0.7, "cues", 0, 38),),
        "roles": (EntityRole("d3", 2, "Azerbaijan", "Innocent", 0.6, (), "reporting", None,
                             (39,), (49,)),)})
    store.write_batch([c], "test")
    store.con.execute("INSERT INTO entity_actor VALUES ('d3', 1, 'fr'), ('d3', 2, 'az')")
    framing.framing_pass(store)
    assert seen == [["Wire"]]
    assert _table(store) == _from_scratch(store)
    assert _rows(store, "technique")[("Wire", "Doubt")]["per_1000_words"] == pytest.approx(0.357, abs=1e-3)
    seen.clear()
    store.con.execute("UPDATE actors SET canonical = 'Republic of Azerbaijan' WHERE actor_id = 'az'")
    framing.framing_pass(store)  # both outlets' documents name Azerbaijan
    assert seen == [["Baku Daily", "Wire"]]
    assert _table(store) == _from_scratch(store)
    seen.clear()
    for t in ("techniques", "roles", "tone", "entity_actor", "mentions", "local_entities", "documents"):
        store.con.execute(f"DELETE FROM {t} WHERE doc_id = 'd1'")
    framing.framing_pass(store)
    assert seen == []  # no outlet changed but Baku Daily, which is gone
    assert {r["outlet"] for r in _table(store)} == {"Wire"}
    assert _table(store) == _from_scratch(store)
