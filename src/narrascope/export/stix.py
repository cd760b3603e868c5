"""A STIX 2.1 bundle of a store, built with the ``stix2`` library.

What maps to what:

- the corpus (or each story, when the stories table exists) -> ``report``, with an
  external reference per article (its URL when it is http(s), its file and doc id);
- outlets and actors -> ``identity`` (actors: individual / organization / group by type);
- quotes -> ``note`` (the quoted text, about the speaker and the outlet that printed it);
- claims -> ``note`` and contradictions -> ``opinion`` (``disagree``) over the claims'
  notes, when those tables exist;
- persuasion techniques -> ``attack-pattern`` objects carrying a DISARM external id where
  the SemEval-2023 technique maps to one (:data:`DISARM`), and a ``note`` per detection.

IDs are UUIDv5 of the content and every timestamp is the corpus' latest publication date,
so equal stores give byte-identical bundles; no custom properties are used, so the bundle
parses with ``stix2.parse`` in strict mode.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import stix2

from narrascope.export import dumps, register, single_file
from narrascope.report.pages import evidence_of, row_label, table_columns, table_rows
from narrascope.report.render import safe_url
from narrascope.store import Store

NAMESPACE = uuid.UUID("6b1d5a4e-3f8e-5c7a-9d2b-6e0f4a1c8b93")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DISARM_URL = "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/{}.md"

#: SemEval-2023 Task 3 technique -> DISARM Red technique (id, name). An approximate,
#: documented correspondence between a rhetorical device and the influence-operation
#: technique it usually serves; techniques with no sensible counterpart are left out
#: (Loaded_Language, Repetition, Slogans, Appeal_to_Authority/Popularity/Values/Time).
DISARM: dict[str, tuple[str, str]] = {
    "appeal_to_hypocrisy": ("T0077", "Distract"),
    "whataboutism": ("T0077", "Distract"),
    "red_herring": ("T0077", "Distract"),
    "questioning_the_reputation": ("T0075", "Dismiss"),
    "doubt": ("T0075", "Dismiss"),
    "name_calling_labeling": ("T0066", "Degrade Adversary"),
    "guilt_by_association": ("T0066", "Degrade Adversary"),
    "exaggeration_minimisation": ("T0023", "Distort facts"),
    "straw_man": ("T0076", "Distort"),
    "causal_oversimplification": ("T0076", "Distort"),
    "consequential_oversimplification": ("T0076", "Distort"),
    "false_dilemma_no_choice": ("T0076", "Distort"),
    "false_dilemma": ("T0076", "Distort"),
    "obfuscation_vagueness_confusion": ("T0076", "Distort"),
    "appeal_to_fear_prejudice": ("T0083", "Integrate Target Audience Vulnerabilities into Narrative"),
    "flag_waving": ("T0079", "Divide"),
}
IDENTITY_CLASS = {"PERSON": "individual", "ORG": "organization", "GPE": "organization",
                  "NORP": "group", "GROUP": "group"}


def _norm_label(label: str) -> str:
    return "_".join(label.replace("-", "_").replace(" ", "_").casefold().split("_")).strip("_")


def disarm_for(label: str) -> tuple[str, str] | None:
    """The DISARM (id, name) a persuasion technique label maps to, if any."""
    key = _norm_label(label)
    return DISARM.get(key) or DISARM.get(key.replace("__", "_"))


def _sid(kind: str, *key: Any) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join(map(str, (kind, *key))))}"


def _stamp(store: Store) -> datetime:
    """The corpus' latest publication day, the one clock every object uses."""
    row = store.query("SELECT max(published) AS p FROM documents WHERE published IS NOT NULL")
    p = row[0]["p"] if row else None
    if not p:
        return EPOCH
    parts = [int(x) for x in str(p)[:10].split("-")] + [1, 1]
    return datetime(parts[0], parts[1] or 1, parts[2] or 1, tzinfo=UTC)


def _doc_ref(d: dict[str, Any]) -> dict[str, Any]:
    ref: dict[str, Any] = {"source_name": d["outlet"] or "unknown outlet", "external_id": d["doc_id"],
                           "description": f"{d['title'] or d['source']} ({d['source']})"}
    url = safe_url(d["url"])
    if url:
        ref["url"] = url
    return ref


def build_bundle(store: Store) -> stix2.Bundle:
    """The STIX bundle of the whole store (see the module docstring for the mapping)."""
    ts = _stamp(store)
    common = {"created": ts, "modified": ts}
    system = stix2.Identity(id=_sid("identity", "narrascope"), name="narrascope",
                            identity_class="system", **common)
    objs: list[Any] = [system]
    by = {"created_by_ref": system.id, **common}
    docs = {d["doc_id"]: d for d in store.query(
        "SELECT doc_id, source, title, outlet, url, published FROM documents ORDER BY doc_id")}
    outlets = {}
    for o in sorted({d["outlet"] or "unknown outlet" for d in docs.values()}):
        outlets[o] = stix2.Identity(id=_sid("identity", "outlet", o), name=o,
                                    identity_class="organization", sectors=["communications"],
                                    labels=["news-outlet"], **by)
    objs.extend(outlets.values())
    actors = {}
    for a in store.query("SELECT actor_id, canonical, type, aliases FROM actors ORDER BY actor_id"):
        aliases = [x for x in (a["aliases"] or []) if x and x != a["canonical"]]
        actors[a["actor_id"]] = stix2.Identity(
            id=_sid("identity", "actor", a["actor_id"]), name=a["canonical"] or a["actor_id"],
            identity_class=IDENTITY_CLASS.get(a["type"] or "", "unknown"),
            labels=[f"narrascope-actor-{(a['type'] or 'other').lower()}"],
            description=("Also named: " + "; ".join(sorted(aliases))) if aliases else None, **by)
    objs.extend(actors.values())

    def doc_note(kind: str, key: Any, d: dict[str, Any], start: int, end: int, content: str,
                 refs: list[str], abstract: str) -> stix2.Note:
        ev = {**_doc_ref(d), "description": f"{kind} at characters {start}-{end} of {d['source']}"}
        return stix2.Note(id=_sid("note", kind, *key), abstract=abstract[:250], content=content,
                          object_refs=sorted(set(refs)), external_references=[ev], **by)

    texts = dict(store.con.execute("SELECT doc_id, text FROM documents").fetchall())
    for q in store.query(
        "SELECT q.doc_id, q.idx, q.start_char, q.end_char, q.direct, q.cue, q.speaker_text, "
        "ea.actor_id FROM quotes q LEFT JOIN entity_actor ea ON ea.doc_id = q.doc_id "
        "AND ea.local_id = q.speaker_local_id ORDER BY q.doc_id, q.idx"):
        d = docs[q["doc_id"]]
        refs = [outlets[d["outlet"] or "unknown outlet"].id]
        if q["actor_id"] in actors:
            refs.append(actors[q["actor_id"]].id)
        speaker = actors[q["actor_id"]].name if q["actor_id"] in actors else (q["speaker_text"] or "unattributed")
        kind = "direct quote" if q["direct"] else "reported speech"
        objs.append(doc_note("quote", (q["doc_id"], q["idx"]), d, q["start_char"], q["end_char"],
                             texts[q["doc_id"]][q["start_char"]:q["end_char"]], refs,
                             f"{kind} by {speaker}"))
    claim_notes = _claims(store, docs, texts, outlets, doc_note, objs)
    objs.extend(_contradictions(store, claim_notes, objs, by))
    objs.extend(_techniques(store, docs, texts, outlets, doc_note, by))
    objs.extend(_reports(store, docs, objs, by))
    return stix2.Bundle(objects=objs, id=_sid("bundle", *sorted(o.id for o in objs)))


def _claims(store: Store, docs: dict[str, Any], texts: dict[str, str], outlets: dict[str, Any],
            doc_note: Any, objs: list[Any]) -> dict[str, Any]:
    """A note per claim (when the claims table exists); returns evidence key -> note."""
    notes: dict[Any, Any] = {}
    for r in table_rows(store, "claims", limit=100_000):
        ev = [e for e in r["evidence"] if e["doc_id"] in docs]
        if not ev:
            continue
        e = ev[0]
        d = docs[e["doc_id"]]
        note = doc_note("claim", (e["doc_id"], e["start"], e["end"]), d, e["start"], e["end"],
                        texts[e["doc_id"]][e["start"]:e["end"]],
                        [outlets[d["outlet"] or "unknown outlet"].id], f"claim: {r['label'] or 'claim'}")
        notes[(e["doc_id"], e["start"], e["end"])] = note
        objs.append(note)
    return notes


def _contradictions(store: Store, claim_notes: dict[Any, Any], objs: list[Any],
                    by: dict[str, Any]) -> list[Any]:
    """An ``opinion`` (disagree) per contradiction, over the notes of its two spans."""
    out = []
    span_notes = {(n.external_references[0].external_id, n.id): n for n in objs
                  if isinstance(n, stix2.Note)}
    for r in table_rows(store, "contradictions", limit=100_000):
        refs = []
        for e in r["evidence"]:
            note = claim_notes.get((e["doc_id"], e["start"], e["end"]))
            if note is None:  # fall back to any note over an overlapping span of that document
                note = next((n for (doc, _), n in span_notes.items() if doc == e["doc_id"]
                             and _overlaps(n, e)), None)
            if note is not None:
                refs.append(note.id)
        if len(set(refs)) < 2:
            continue
        why = r["row"].get("reason") or r["row"].get("explanation") or r["label"] or "contradiction"
        out.append(stix2.Opinion(id=_sid("opinion", *sorted(set(refs))), opinion="disagree",
                                 explanation=f"narrascope flagged these statements as contradictory: {why}",
                                 object_refs=sorted(set(refs)), **by))
    return out


def _overlaps(note: Any, e: dict[str, Any]) -> bool:
    desc = note.external_references[0].description or ""
    try:
        s, t = desc.split(" at characters ")[1].split(" of ")[0].split("-")
    except (IndexError, ValueError):
        return False
    return int(s) < e["end"] and e["start"] < int(t)


def _techniques(store: Store, docs: dict[str, Any], texts: dict[str, str], outlets: dict[str, Any],
                doc_note: Any, by: dict[str, Any]) -> list[Any]:
    cols = table_columns(store, "techniques")
    if not {"doc_id", "start_char", "end_char"} <= set(cols):
        return []
    patterns: dict[str, Any] = {}
    notes = []
    for r in table_rows(store, "techniques", limit=100_000):
        label = r["label"] or row_label(r["row"]) or "technique"
        if label not in patterns:
            mapped = disarm_for(label)
            refs = [{"source_name": "SemEval-2023 Task 3", "external_id": label}]
            if mapped:
                refs.append({"source_name": "DISARM", "external_id": mapped[0],
                             "url": DISARM_URL.format(mapped[0]), "description": mapped[1]})
            patterns[label] = stix2.AttackPattern(
                id=_sid("attack-pattern", label), name=label.replace("_", " "),
                description=f"Persuasion technique {label}" + (f"; DISARM {mapped[0]} {mapped[1]}" if mapped else ""),
                external_references=refs, **by)
        for e in evidence_of(r["row"])[:1]:
            if e["doc_id"] not in docs:
                continue
            d = docs[e["doc_id"]]
            notes.append(doc_note("technique", (e["doc_id"], e["start"], e["end"], label), d,
                                  e["start"], e["end"], texts[e["doc_id"]][e["start"]:e["end"]],
                                  [patterns[label].id, outlets[d["outlet"] or "unknown outlet"].id],
                                  f"{label} in {d['outlet'] or 'unknown outlet'}"))
    return [*sorted(patterns.values(), key=lambda p: p.id), *notes]


def _reports(store: Store, docs: dict[str, Any], objs: list[Any], by: dict[str, Any]) -> list[Any]:
    """One report per story (all documents when stories were not clustered)."""
    stories: dict[str, list[str]] = defaultdict(list)
    if table_columns(store, "stories").keys() >= {"doc_id", "story_id"}:
        for r in store.query("SELECT story_id, doc_id FROM stories ORDER BY story_id, doc_id"):
            if r["doc_id"] in docs:
                stories[str(r["story_id"])].append(r["doc_id"])
    if not stories:
        stories["corpus"] = sorted(docs)
    labels = {}
    if table_columns(store, "story_info").keys() >= {"story_id", "label"}:
        labels = {str(r["story_id"]): r["label"] for r in store.query("SELECT story_id, label FROM story_info")}
    refs = sorted(o.id for o in objs)
    out = []
    for sid, ids in sorted(stories.items()):
        name = labels.get(sid) or ("narrascope evidence map" if sid == "corpus" else f"story {sid}")
        outs = sorted({docs[i]["outlet"] or "unknown outlet" for i in ids})
        out.append(stix2.Report(
            id=_sid("report", sid), name=name, report_types=["threat-report"], published=by["created"],
            description=f"{len(ids)} articles from {len(outs)} outlets: {', '.join(outs)}",
            object_refs=refs, external_references=[_doc_ref(docs[i]) for i in sorted(ids)], **by))
    return out


def write_stix(store: Store, out: Path) -> list[Path]:
    """One JSON file holding the bundle (canonical key order)."""
    import json

    path = single_file(out, ".stix.json")
    bundle = json.loads(build_bundle(store).serialize())
    path.write_text(dumps(bundle) + "\n", encoding="utf-8")
    return [path]


register("stix", ".stix.json", write_stix)
