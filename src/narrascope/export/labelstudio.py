"""Label Studio round trip: tasks with pre-annotations out, analysts' corrections back as gold.

``narrascope export --format labelstudio --out tasks.json`` writes one task per document
(``data.text`` is the stored text, so offsets agree with every span in the store) with the
pipeline's findings as a prediction: actor mentions (label = actor type, a per-region
``actor`` text box = the canonical actor), quotes (direct / reported) linked by a
``said_by`` relation to a speaker region, and persuasion techniques when that table
exists. ``tasks.label_config.xml`` beside it is the labelling interface to paste into the
project. ``narrascope import-labelstudio`` reads the project's JSON export back and writes
a gold file in the format of ``../shared/gold/README.md`` (actors, quotes with
``speaker_mention``, techniques), using the analysts' annotation where a task has one and
the prediction otherwise.

Label Studio counts offsets in UTF-16 code units (JavaScript strings); Python counts code
points. They differ after any character outside the Basic Multilingual Plane (emoji), so
offsets are converted both ways.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from narrascope import __version__
from narrascope.export import dumps, register, single_file
from narrascope.report.data import ACTOR_TYPES
from narrascope.report.pages import row_label, table_columns, table_rows
from narrascope.store import Store

QUOTE_LABELS = {True: "Direct quote", False: "Reported speech"}
SPEAKER = "Speaker"


class Offsets:
    """Python code-point offsets <-> UTF-16 code-unit offsets for one text."""

    def __init__(self, text: str) -> None:
        self.identity = all(ord(c) < 0x10000 for c in text)
        if not self.identity:
            self.to16 = [0]
            for c in text:
                self.to16.append(self.to16[-1] + (2 if ord(c) >= 0x10000 else 1))
            self.to_py = {u: i for i, u in enumerate(self.to16)}

    def js(self, i: int) -> int:
        return i if self.identity else self.to16[i]

    def py(self, u: int) -> int:
        return u if self.identity else self.to_py[u]


def label_config(techniques: list[str]) -> str:
    """The Label Studio labelling interface matching the exported regions."""
    def labels(name: str, values: list[str]) -> str:
        inner = "".join(f"<Label value={quoteattr(v)}/>" for v in values)
        return f'  <Labels name="{name}" toName="text">{inner}</Labels>\n'

    return (
        "<View>\n"
        + labels("actor", list(ACTOR_TYPES))
        + labels("quote", [*QUOTE_LABELS.values(), SPEAKER])
        + (labels("technique", techniques) if techniques else "")
        + '  <Relations><Relation value="said_by"/></Relations>\n'
        '  <Text name="text" value="$text"/>\n'
        '  <TextArea name="canonical" toName="text" perRegion="true" editable="true" '
        'placeholder="canonical actor name"/>\n'
        "</View>\n"
    )


def _region(rid: str, control: str, label: str, start: int, end: int, text: str,
            off: Offsets) -> dict[str, Any]:
    return {"id": rid, "from_name": control, "to_name": "text", "type": "labels",
            "value": {"start": off.js(start), "end": off.js(end), "text": text[start:end],
                      "labels": [label]}}


def _canonical(rid: str, name: str, start: int, end: int, off: Offsets) -> dict[str, Any]:
    return {"id": rid, "from_name": "canonical", "to_name": "text", "type": "textarea",
            "value": {"start": off.js(start), "end": off.js(end), "text": [name]}}


def build_tasks(store: Store) -> tuple[list[dict[str, Any]], list[str]]:
    """(tasks, technique labels): one task per document, findings as one prediction."""
    docs = store.query("SELECT doc_id, source, line, outlet, title, url, published, text "
                       "FROM documents ORDER BY source, line, doc_id")
    results: dict[str, list[dict[str, Any]]] = defaultdict(list)
    offs = {d["doc_id"]: Offsets(d["text"]) for d in docs}
    texts = {d["doc_id"]: d["text"] for d in docs}
    for m in store.query(
        "SELECT m.doc_id, m.idx, m.start_char, m.end_char, m.type, coalesce(a.canonical, "
        "le.canonical, m.text) AS name FROM mentions m LEFT JOIN entity_actor ea ON "
        "ea.doc_id = m.doc_id AND ea.local_id = m.local_id LEFT JOIN actors a ON "
        "a.actor_id = ea.actor_id LEFT JOIN local_entities le ON le.doc_id = m.doc_id AND "
        "le.local_id = m.local_id ORDER BY m.doc_id, m.idx"):
        d, off, rid = m["doc_id"], offs[m["doc_id"]], f"m{m['idx']}"
        typ = m["type"] if m["type"] in ACTOR_TYPES else "OTHER"
        results[d].append(_region(rid, "actor", typ, m["start_char"], m["end_char"], texts[d], off))
        results[d].append(_canonical(rid, m["name"], m["start_char"], m["end_char"], off))
    for q in store.query(
        "SELECT q.doc_id, q.idx, q.start_char, q.end_char, q.direct, q.speaker_start, "
        "q.speaker_end, coalesce(a.canonical, le.canonical, q.speaker_text) AS speaker "
        "FROM quotes q LEFT JOIN entity_actor ea ON ea.doc_id = q.doc_id AND "
        "ea.local_id = q.speaker_local_id LEFT JOIN actors a ON a.actor_id = ea.actor_id "
        "LEFT JOIN local_entities le ON le.doc_id = q.doc_id AND le.local_id = q.speaker_local_id "
        "ORDER BY q.doc_id, q.idx"):
        d, off, rid = q["doc_id"], offs[q["doc_id"]], f"q{q['idx']}"
        results[d].append(_region(rid, "quote", QUOTE_LABELS[bool(q["direct"])], q["start_char"],
                                  q["end_char"], texts[d], off))
        if q["speaker_start"] is not None and q["speaker_end"] is not None:
            sid = f"s{q['idx']}"
            results[d].append(_region(sid, "quote", SPEAKER, q["speaker_start"], q["speaker_end"],
                                      texts[d], off))
            results[d].append(_canonical(sid, q["speaker"] or texts[d][q["speaker_start"]:q["speaker_end"]],
                                         q["speaker_start"], q["speaker_end"], off))
            results[d].append({"type": "relation", "from_id": rid, "to_id": sid,
                               "direction": "right", "labels": ["said_by"]})
        elif q["speaker"]:
            results[d].append(_canonical(rid, q["speaker"], q["start_char"], q["end_char"], off))
    techniques: set[str] = set()
    if {"doc_id", "start_char", "end_char"} <= set(table_columns(store, "techniques")):
        for i, r in enumerate(table_rows(store, "techniques", limit=1_000_000)):
            row = r["row"]
            if row["doc_id"] not in texts:
                continue
            label = row_label(row) or "technique"
            techniques.add(label)
            results[row["doc_id"]].append(_region(f"t{i}", "technique", label, row["start_char"],
                                                  row["end_char"], texts[row["doc_id"]], offs[row["doc_id"]]))
    tasks = []
    for d in docs:
        data = {k: d[k] for k in ("text", "doc_id", "source", "line", "outlet", "title", "url", "published")}
        tasks.append({"data": data, "predictions": [
            {"model_version": f"narrascope {__version__}", "result": results.get(d["doc_id"], [])}]})
    return tasks, sorted(techniques)


def write_labelstudio(store: Store, out: Path) -> list[Path]:
    """``tasks.json`` (import into a Label Studio project) and ``tasks.label_config.xml``."""
    path = single_file(out, ".labelstudio.json")
    tasks, techniques = build_tasks(store)
    path.write_text(dumps(tasks) + "\n", encoding="utf-8")
    config = path.with_name(path.name.split(".")[0] + ".label_config.xml")
    config.write_text(label_config(techniques), encoding="utf-8")
    return [path, config]


register("labelstudio", ".labelstudio.json", write_labelstudio)


# -- back to gold -------------------------------------------------------------------
def _chosen_result(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The latest non-cancelled annotation of a task, else its first prediction."""
    anns = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if anns:
        anns.sort(key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") or 0))
        return anns[-1].get("result") or []
    preds = task.get("predictions") or []
    return (preds[0].get("result") or []) if preds else []


def tasks_to_gold(tasks: list[dict[str, Any]], corpus: str | None = None) -> dict[str, Any]:
    """Gold (``../shared/gold/README.md``) from Label Studio tasks: actors, quotes, techniques.

    Evidence carries ``start`` (a Python offset), so repeated strings stay unambiguous.
    """
    actors: dict[tuple[str, str], dict[str, Any]] = {}
    quotes: list[dict[str, Any]] = []
    techniques: list[dict[str, Any]] = []
    documents = []
    for task in tasks:
        data = task.get("data") or {}
        text = data.get("text") or ""
        doc = data.get("source") or data.get("doc_id") or str(task.get("id"))
        documents.append({"doc": doc, "outlet": data.get("outlet"), "published": data.get("published")})
        off = Offsets(text)
        regions: dict[str, dict[str, Any]] = {}
        names: dict[str, str] = {}
        said_by: dict[str, str] = {}
        for r in _chosen_result(task):
            if r.get("type") == "relation":
                said_by[r["from_id"]] = r["to_id"]
                continue
            v = r.get("value") or {}
            if r.get("type") == "textarea" and v.get("text"):
                names[r["id"]] = " ".join(str(x) for x in v["text"]).strip()
            elif r.get("type") == "labels" and v.get("labels"):
                s, e = off.py(int(v["start"])), off.py(int(v["end"]))
                regions[r["id"]] = {"control": r.get("from_name"), "label": v["labels"][0],
                                    "ev": {"doc": doc, "contains": text[s:e], "start": s}}
        for rid, reg in regions.items():
            ev, label = reg["ev"], reg["label"]
            if reg["control"] == "actor":
                name = names.get(rid) or ev["contains"]
                a = actors.setdefault((name, label), {"canonical": name, "type": label, "evidence": []})
                a["evidence"].append(ev)
            elif reg["control"] == "quote" and label in QUOTE_LABELS.values():
                item: dict[str, Any] = {**ev, "direct": label == QUOTE_LABELS[True]}
                spk = said_by.get(rid)
                if spk in regions:
                    item["speaker"] = names.get(spk) or regions[spk]["ev"]["contains"]
                    item["speaker_mention"] = regions[spk]["ev"]
                else:
                    item["speaker"] = names.get(rid) or ""
                quotes.append(item)
            elif reg["control"] == "technique":
                techniques.append({"technique": label, **ev})

    def key(ev: dict[str, Any]) -> tuple[str, int]:
        return ev["doc"], ev["start"]

    for a in actors.values():
        a["evidence"].sort(key=key)
    return {
        "corpus": corpus or "labelstudio",
        "about": "Converted from Label Studio annotations by narrascope import-labelstudio.",
        "documents": documents,
        "actors": sorted(actors.values(), key=lambda a: (a["canonical"], a["type"])),
        "quotes": sorted(quotes, key=key),
        "techniques": sorted(techniques, key=lambda t: (*key(t), t["technique"])),
    }


def import_labelstudio(path: str | Path, out: str | Path) -> Path:
    """Read a Label Studio JSON export (a list of tasks) and write the gold file ``out``."""
    tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(tasks, dict):
        tasks = [tasks]
    gold = tasks_to_gold(tasks, corpus=Path(path).stem)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target
