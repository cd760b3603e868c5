"""Scoring same_claim groups and contradictions against gold, through a hand-filled store."""

from __future__ import annotations

import pyarrow as pa

from narrascope.eval.claims import score_contradictions, score_same_claim
from narrascope.eval.core import Gold, Predictions
from narrascope.records import DocAnnotation, Document
from narrascope.store import Store

TA = "Officials made a deal with Baku. Four people died. Crimes against humanity were committed."
TB = "Leaders have made a deal with Baku. Seven people died. Crimes against humanity were committed."


def _store(tmp_path, groups, contra):
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.write_batch([DocAnnotation(Document("A", "a.txt", TA, published="2024-05-02")),
                           DocAnnotation(Document("B", "b.txt", TB, published="2024-07-01"))], "t")
        claims = [("A", 0, 0, 31), ("B", 0, 0, 34), ("A", 1, 33, 50), ("B", 1, 36, 54),
                  ("A", 2, 51, 90), ("B", 2, 55, 94)]
        for doc, idx, s, e in claims:
            store.con.execute("INSERT INTO claims (doc_id, idx, start_char, end_char) "
                              "VALUES (?, ?, ?, ?)", [doc, idx, s, e])
        for gid, doc, idx in groups:
            store.con.execute("INSERT INTO claim_members (group_id, doc_id, claim_idx) "
                              "VALUES (?, ?, ?)", [gid, doc, idx])
        store.con.register("_r", pa.Table.from_pylist([
            {"reuse_id": "r", "doc_id": "A", "start_char": 51, "end_char": 90, "rank": 0},
            {"reuse_id": "r", "doc_id": "B", "start_char": 55, "end_char": 94, "rank": 1}]))
        store.con.execute("INSERT INTO reuse_passages (reuse_id, doc_id, start_char, end_char, "
                          "rank) SELECT * FROM _r")
        for i, (a, sa, ea, b, sb, eb, t) in enumerate(contra):
            store.con.execute(
                "INSERT INTO contradictions (contra_id, doc_a, start_a, end_a, doc_b, start_b, "
                "end_b, explained_by_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [f"c{i}", a, sa, ea, b, sb, eb, t])
    pred = Predictions(texts={"a.txt": TA, "b.txt": TB},
                       extra={"store_path": str(path), "doc_keys": {"A": ["a.txt"], "B": ["b.txt"]}})
    return pred


GOLD = {
    "documents": [{"doc": "a.txt", "published": "2024-05-02"}, {"doc": "b.txt", "published": "2024-07"}],
    "same_claim": [
        {"id": "deal", "evidence": [{"doc": "a.txt", "contains": "made a deal with Baku"},
                                    {"doc": "b.txt", "contains": "made a deal with Baku"}]},
        {"id": "crimes", "verbatim_reuse": True,
         "evidence": [{"doc": "a.txt", "contains": "Crimes against humanity"},
                      {"doc": "b.txt", "contains": "Crimes against humanity"}]},
    ],
    "contradictions": [{"id": "toll", "kind": "numeric", "explained_by_time": True,
                        "evidence": [{"doc": "a.txt", "contains": "Four people died"},
                                     {"doc": "b.txt", "contains": "Seven people died"}]}],
}


def test_same_claim_pairs_and_verbatim_origin(tmp_path):
    pred = _store(tmp_path, [("g1", "A", 0), ("g1", "B", 0)], [])
    out = score_same_claim(Gold(tmp_path / "g.json", GOLD), pred)
    assert out["gold"] == 2 and out["predicted"] == 1 and out["recall"] == 0.5
    assert out["precision"] == 1.0
    assert out["verbatim_groups"] == 1 and out["verbatim_origin_right"] == 1


def test_same_claim_merging_distinct_claims_costs_precision(tmp_path):
    pred = _store(tmp_path, [("g1", "A", 0), ("g1", "B", 0), ("g1", "A", 2), ("g1", "B", 2)], [])
    out = score_same_claim(Gold(tmp_path / "g.json", GOLD), pred)
    assert out["precision"] < 1.0


def test_contradiction_found_only_with_both_spans_and_time_flag(tmp_path):
    gold = Gold(tmp_path / "g.json", GOLD)
    hit = _store(tmp_path, [], [("B", 36, 54, "A", 33, 50, True)])
    out = score_contradictions(gold, hit)
    assert out == {"recall": 1.0, "found": 1, "gold": 1, "predicted": 1,
                   "explained_by_time_right": 1, "explained_by_time_gold": 1}
    (tmp_path / "s.duckdb").unlink()
    miss = _store(tmp_path, [], [("A", 33, 50, "A", 0, 10, False)])
    assert score_contradictions(gold, miss)["found"] == 0
