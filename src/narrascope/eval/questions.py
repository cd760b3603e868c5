"""Scoring the ``questions`` section: does ``ask`` cite the spans a good answer cites?

Per gold question, ``ask`` runs on the store; the answer's citations (stored spans, mapped
from doc_id to the gold file's source keys) are overlapped with the gold evidence spans.
A question passes when at least ``good_answer_cites_at_least`` gold spans are overlapped.
``uncited_sentences`` counts answer sentences that cite nothing (or cite an id the answer
does not carry).

``must_not`` ("state the interference as established fact") is checked generally: the
claim's content words are taken from the rule, and an answer sentence violates it when,
outside its quoted material, it uses a claim word without attributing it (a reporting verb:
says, reports, accuses, denies...) or hedging it (alleged, attributed, not established...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from narrascope.ask.cues import ATTRIBUTION, HEDGES, has_cue, stem, unquoted, words
from narrascope.eval.core import Gold, Predictions, Span, resolve
from narrascope.records import Answer

# Words of a must_not rule that describe the prohibition, not the claim.
_RULE_WORDS = frozenset(
    ["state", "states", "stated", "assert", "asserts", "present", "presents", "treat", "report", "claim", "claims", "the", "a", "an", "as", "of", "it", "is", "be", "to", "not", "never", "do", "does", "fact", "facts", "factual", "established", "establish", "true", "truth", "proven", "certain", "settled", "definite", "definitely", "something"]
)
_NEGATION_RE = re.compile(r"\b(no|not|never|without|un\w+ed)\b", re.I)


def claim_terms(rule: str) -> set[str]:
    """Stems of the claim a ``must_not`` rule protects ("state the interference as
    established fact" -> {"interf"})."""
    return {stem(w) for w in words(rule) if w not in _RULE_WORDS and len(w) > 2}


def reporting_voice_violations(sentences: Iterable[str], terms: set[str]) -> list[str]:
    """Answer sentences that assert the claim in the answer's own voice.

    A sentence is in the reporting voice for the claim when a claim word occurs outside
    its quotations; it is a violation unless the same unquoted text attributes (reporting
    verb) or hedges (alleged, attributed, not established, ...) what it says.
    """
    out = []
    for s in sentences:
        own = unquoted(s)
        if not terms & {stem(w) for w in words(own)}:
            continue
        if has_cue(own, ATTRIBUTION) or has_cue(own, HEDGES) or _NEGATION_RE.search(own):
            continue
        out.append(s)
    return out


def _cited_spans(answer: Answer, doc_keys: dict[str, list[str]]) -> list[Span]:
    return [Span(key, c.start, c.end) for c in answer.citations
            for key in doc_keys.get(c.doc_id, ())]


def score_questions(gold: Gold, pred: Predictions) -> dict[str, Any]:
    """The ``questions`` section of ``narrascope eval``."""
    from narrascope.ask import Asker
    from narrascope.store import Store

    store_path = pred.extra.get("store_path")
    doc_keys: dict[str, list[str]] = pred.extra.get("doc_keys") or {}
    if not store_path:
        return {"status": "not implemented"}
    per: list[dict[str, Any]] = []
    passed = uncited = violations = checked = 0
    with Store.open(store_path, read_only=True) as store:
        asker = Asker(store)
        for item in gold.items("questions"):
            q = str(item.get("question") or "")
            answer = asker.ask(q)
            cited = _cited_spans(answer, doc_keys)
            spans = [resolve(ev, pred.texts, gold) for ev in item.get("evidence") or ()]
            hits = sum(1 for g in spans if g is not None and any(g.overlaps(c) for c in cited))
            need = int(item.get("good_answer_cites_at_least") or 1)
            ids = {c.id for c in answer.citations}
            bad = sum(1 for s in answer.sentences
                      if not s.citations or any(i not in ids for i in s.citations))
            row: dict[str, Any] = {"question": q, "shape": answer.shape, "gold_cited": hits,
                                   "needed": need, "passed": hits >= need,
                                   "sentences": len(answer.sentences), "uncited": bad}
            if item.get("must_not"):
                checked += 1
                v = reporting_voice_violations((s.text for s in answer.sentences),
                                               claim_terms(str(item["must_not"])))
                row["must_not_violations"] = v
                violations += len(v)
            passed += hits >= need
            uncited += bad
            per.append(row)
    return {"passed": passed, "total": len(per), "uncited_sentences": uncited,
            "must_not_checked": checked, "must_not_violations": violations, "items": per}
