"""Exports: every registered format, byte-identical output for equal stores, STIX and Label
Studio round trips."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import stix2

from narrascope.export import export, formats
from narrascope.export.labelstudio import Offsets, build_tasks, import_labelstudio, tasks_to_gold
from narrascope.export.stix import build_bundle, disarm_for
from narrascope.store import Store
from web.conftest import hostile_annotations, write_hostile


def _files(paths: list[Path]) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile(tmp_path_factory.mktemp("exp") / "store")


def test_export_registry_lists_every_format() -> None:
    assert {"jsonl", "parquet", "stix", "labelstudio"} <= set(formats())
    for name, fmt in formats().items():
        assert set(fmt) == {"name", "suffix", "write"} and fmt["name"] == name


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "stix", "labelstudio"])
def test_export_equal_stores_give_identical_bytes(tmp_path: Path, fmt: str) -> None:
    outs = []
    for i in range(2):
        path = write_hostile(tmp_path / f"s{i}")  # analysed_at and the run differ between the two
        time.sleep(0.01)
        with Store.open(path) as st:
            outs.append(_files(export(st, fmt, tmp_path / f"out{i}")))
    assert outs[0] and outs[0] == outs[1]


def test_export_tables_cover_every_data_table(store_path: Path, tmp_path: Path) -> None:
    with Store.open(store_path) as st:
        jsonl = export(st, "jsonl", tmp_path / "j")
        parquet = export(st, "parquet", tmp_path / "p")
        tables = {r["table_name"] for r in st.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")}
    names = {p.stem for p in jsonl}
    assert names == {p.stem for p in parquet}
    assert {"documents", "mentions", "quotes", "actors", "sentences"} <= names
    assert not [n for n in names if n.startswith("_") or n in ("runs", "skipped")]
    assert names <= tables
    quotes = [json.loads(line) for line in (tmp_path / "j" / "quotes.jsonl").read_text().splitlines()]
    assert quotes[0]["start_char"] < quotes[0]["end_char"]
    assert pq.read_table(tmp_path / "p" / "quotes.parquet").num_rows == len(quotes)
    docs = [json.loads(line) for line in (tmp_path / "j" / "documents.jsonl").read_text().splitlines()]
    assert "analysed_at" not in docs[0] and docs[0]["text"].startswith("Minister <script>")


def test_export_stix_bundle_parses_strictly(store_path: Path, tmp_path: Path) -> None:
    with Store.open(store_path) as st:
        (path,) = export(st, "stix", tmp_path / "bundle.json")
    bundle = stix2.parse(path.read_text(encoding="utf-8"), allow_custom=False)
    kinds = {o.type for o in bundle.objects}
    assert {"identity", "report", "note"} <= kinds
    names = {o.name for o in bundle.objects if o.type == "identity"}
    assert any(n.startswith("Jane Roe") for n in names) and any(n.startswith("Outlet") for n in names)
    report = next(o for o in bundle.objects if o.type == "report")
    assert report.external_references[0].external_id == "evil0001"
    assert "url" not in report.external_references[0]  # javascript: URLs are not carried
    ids = {o.id for o in bundle.objects}
    assert set(report.object_refs) <= ids
    note = next(o for o in bundle.objects if o.type == "note")
    assert note.content.startswith("we reject")


def test_export_stix_maps_techniques_to_disarm() -> None:
    assert disarm_for("Appeal_to_Hypocrisy") == ("T0077", "Distract")
    assert disarm_for("Name_Calling-Labeling") == ("T0066", "Degrade Adversary")
    assert disarm_for("Loaded_Language") is None


@pytest.mark.model
@pytest.mark.slow
def test_export_stix_of_demo_corpus_round_trips(demo_store: Path) -> None:
    with Store.open(demo_store) as st:
        bundle = build_bundle(st)
    parsed = stix2.parse(bundle.serialize(), allow_custom=False)
    assert len(parsed.objects) == len(bundle.objects) > 10
    assert parsed.serialize(sort_keys=True) == bundle.serialize(sort_keys=True)


def _spans(store: Store) -> dict[str, set[tuple[str, int, int]]]:
    src = {r["doc_id"]: r["source"] for r in store.query("SELECT doc_id, source FROM documents")}
    return {
        "mentions": {(src[r["doc_id"]], r["start_char"], r["end_char"])
                     for r in store.query("SELECT * FROM mentions")},
        "quotes": {(src[r["doc_id"]], r["start_char"], r["end_char"])
                   for r in store.query("SELECT * FROM quotes")},
    }


def _gold_spans(gold: dict) -> dict[str, set[tuple[str, int, int]]]:
    return {
        "mentions": {(e["doc"], e["start"], e["start"] + len(e["contains"]))
                     for a in gold["actors"] for e in a["evidence"]},
        "quotes": {(q["doc"], q["start"], q["start"] + len(q["contains"])) for q in gold["quotes"]},
    }


def test_labelstudio_export_reimports_to_the_same_spans(store_path: Path, tmp_path: Path) -> None:
    with Store.open(store_path) as st:
        tasks_path, config = export(st, "labelstudio", tmp_path / "tasks.json")
        expected = _spans(st)
    assert "<Labels" in config.read_text()
    gold_path = import_labelstudio(tasks_path, tmp_path / "gold.json")
    gold = json.loads(gold_path.read_text())
    assert _gold_spans(gold) == expected
    q = gold["quotes"][0]
    assert q["speaker"].startswith("Jane Roe") and q["direct"] is True
    assert q["speaker_mention"]["contains"] == "Foreign Minister Jane Roe"


@pytest.mark.model
@pytest.mark.slow
def test_labelstudio_demo_corpus_round_trip(demo_store: Path, tmp_path: Path) -> None:
    with Store.open(demo_store) as st:
        tasks_path, _ = export(st, "labelstudio", tmp_path)
        expected = _spans(st)
    gold = json.loads(import_labelstudio(tasks_path, tmp_path / "gold.json").read_text())
    assert _gold_spans(gold) == expected and expected["quotes"]


def test_labelstudio_analyst_corrections_win_over_predictions() -> None:
    ann = hostile_annotations()[0]
    text = ann.doc.text
    s = text.index("Jane Roe")
    task = {"data": {"text": text, "source": "evil.txt"},
            "predictions": [{"result": [{"id": "x", "from_name": "actor", "type": "labels",
                                         "value": {"start": 0, "end": 4, "labels": ["ORG"]}}]}],
            "annotations": [{"id": 7, "result": [
                {"id": "a", "from_name": "actor", "type": "labels",
                 "value": {"start": s, "end": s + 8, "labels": ["PERSON"]}},
                {"id": "a", "from_name": "canonical", "type": "textarea",
                 "value": {"start": s, "end": s + 8, "text": ["Jane Roe"]}}]}]}
    gold = tasks_to_gold([task])
    assert gold["actors"] == [{"canonical": "Jane Roe", "type": "PERSON",
                               "evidence": [{"doc": "evil.txt", "contains": "Jane Roe", "start": s}]}]


def test_labelstudio_offsets_count_utf16_units_beyond_the_bmp() -> None:
    text = "a😀b Jane"
    off = Offsets(text)
    assert off.js(text.index("Jane")) == text.index("Jane") + 1
    assert off.py(off.js(3)) == 3


def test_labelstudio_tasks_hold_quotes_with_speaker_relations(store_path: Path) -> None:
    with Store.open(store_path) as st:
        tasks, _ = build_tasks(st)
    result = tasks[0]["predictions"][0]["result"]
    rel = [r for r in result if r["type"] == "relation"]
    assert rel and rel[0]["labels"] == ["said_by"]
    by_id = {r["id"]: r for r in result if r["type"] == "labels"}
    assert by_id[rel[0]["from_id"]]["value"]["labels"] == ["Direct quote"]
