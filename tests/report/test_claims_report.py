"""The claims section: absent before the pass, evidence side by side and escaped after."""

from __future__ import annotations

from narrascope.records import DocAnnotation, Document
from narrascope.report.claims import claims
from narrascope.store import Store

EVIL = "<script>alert(1)</script>"


def test_claims_section_none_without_findings_then_lists_groups(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        assert claims(store) is None
        text = f"Some leaders made a deal. {EVIL}"
        store.write_batch([DocAnnotation(Document("A", "a.txt", text, outlet="Alpha")),
                           DocAnnotation(Document("B", "b.txt", text, outlet="Beta"))], "t")
        store.con.execute("INSERT INTO claim_groups VALUES ('g', 'all', 'deal', 2, 2, "
                          "['Alpha', 'Beta'], 0.9)")
        for doc, outlet in (("A", "Alpha"), ("B", "Beta")):
            store.con.execute("INSERT INTO claim_members VALUES ('g', ?, 0, 0, 24, ?, NULL, 0.9)",
                              [doc, outlet])
        store.con.execute("INSERT INTO coverage_gaps VALUES ('all', 'Gamma', 'g', 2)")
        data = claims(store)
    assert data is not None
    g = data["groups"][0]
    assert [o["outlet"] for o in g["outlets"]] == ["Alpha", "Beta"]
    assert g["outlets"][0]["evidence"][0]["anchor"] == "doc-A"
    assert g["outlets"][0]["evidence"][0]["text"] == "Some leaders made a deal"
    assert data["gaps"] == [{"outlet": "Gamma", "missing": [{"label": "deal", "group": "g",
                                                             "n_outlets": 2}]}]
