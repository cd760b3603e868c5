"""The command line end to end on the demo corpus (needs the spaCy model)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.store import Store

EXAMPLES = Path(__file__).parents[1] / "examples" / "new-caledonia"
TABLES = ("documents", "doc_sources", "sentences", "mentions", "quotes", "actors")

pytestmark = pytest.mark.model


def _counts(out: Path) -> dict[str, int]:
    with Store.open(out) as st:
        return {t: st.count(t) for t in TABLES}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    corpus = tmp_path_factory.mktemp("corpus")
    for f in EXAMPLES.iterdir():
        shutil.copy(f, corpus / f.name)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["analyze", str(corpus), "--out", str(out)])
    return corpus, out, result


def test_cli_analyze_partial_failure_exit_code_and_messages(analysed: tuple) -> None:
    _, out, result = analysed
    assert result.exit_code == 3, result.output
    assert "empty.txt" in result.output and "binary.txt" in result.output
    assert (out / "report.html").exists()
    assert (out / "run.log").exists()
    assert f"report: {(out / 'report.html').resolve()}" in result.output


def test_cli_analyze_stores_every_good_document(analysed: tuple) -> None:
    _, out, _ = analysed
    counts = _counts(out)
    assert counts["documents"] == 5
    assert counts["quotes"] > 10 and counts["actors"] > 5


def test_cli_rerun_is_idempotent(analysed: tuple) -> None:
    corpus, out, _ = analysed
    before = _counts(out)
    result = CliRunner().invoke(app, ["analyze", str(corpus), "--out", str(out)])
    assert result.exit_code == 3
    assert "5 unchanged" in result.output
    assert _counts(out) == before


def test_cli_eval_json_prints_sections(analysed: tuple, tmp_path: Path) -> None:
    _, out, _ = analysed
    gold = {
        "documents": [{"doc": "001_3b809b09dfe4a541.txt"}],
        "quotes": [{"speaker": "Ilham Aliyev", "doc": "001_3b809b09dfe4a541.txt",
                    "contains": "We will support you until you are free", "direct": True}],
    }
    g = tmp_path / "g.json"
    g.write_text(json.dumps(gold), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--gold", str(g), "--store", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["sections"]["quotes"]["gold"] == 1
    assert set(data["sections"]) == {"quotes"}


def test_cli_missing_input_is_fatal(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "no such file" in result.output
