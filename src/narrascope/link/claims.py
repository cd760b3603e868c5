"""Claims across outlets: the same claim in other words, verbatim reuse, contradictions,
and what each outlet leaves out.

Everything runs per story (table ``stories`` when the stories pass filled it, else the
whole corpus as one story), so the pairwise work grows with the size of a story, not of
the corpus. Claim texts are embedded once: vectors are cached in ``claim_vectors`` by a
hash of the text, so a re-run embeds only claims it has not seen.

Same claim: embeddings propose (cosine at least ``CANDIDATE``), structure confirms. Two
claims join when their polarity agrees, their predicates are not antonyms, their subject
and object actors do not clash, and either their content words overlap or the cosine is
above ``ACCEPT``. Embeddings alone put "declared a state of emergency" next to "lifted
the state of emergency"; the structural checks are what keep them apart. The thresholds
were measured with :mod:`narrascope.link.claims_calibrate` on stories-allsides-train.

Verbatim reuse and contradictions live in :mod:`narrascope.link.claim_checks`.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa

from narrascope.link.claim_lexicon import antonym_hit
from narrascope.link.state import changed_groups, forget_groups, remember_groups
from narrascope.link.unionfind import UnionFind
from narrascope.store import Store
from narrascope.store.db import in_slice, slice_count

LOGGER = logging.getLogger(__name__)

# Measured on stories-allsides-train (claims_calibrate, 1500 documents, 1500 same-story
# and 1494 different-story pairs) with the quantised encoder the passes use: Youden-optimal
# cosine between best-matching sentences of same-story vs different-story documents
# (recall 0.971, false-positive rate 0.033), and the cosine only 1% of different-story
# pairs reach (0.504; with the shipped float form of the model: 0.41 and 0.52).
CANDIDATE = 0.41
ACCEPT = 0.50
# Share of the shorter claim's content stems the other must contain, below ACCEPT.
LEXICAL_MIN = 0.3
# Below CANDIDATE, a pair still joins when most content words are shared (at least two)
# and the cosine is not lower than FLOOR: short clauses ("triggered a state of emergency")
# embed far from their paraphrases. FLOOR is set by hand between the median cosine of
# different-story pairs (0.21) and CANDIDATE.
LEXICAL_STRONG = 0.6
FLOOR = 0.35
# Each story is compared with itself only (story_blocks); a story larger than DENSE_MAX
# claims is compared by nearest neighbours in chunks, so the cost stays linear in it.
DENSE_MAX = 4000
# A claim joins a group (or two groups merge) only when their members are, on average,
# this close: confirmed pairs must not chain unrelated claims into one group. Set between
# CANDIDATE and the median same-story best-pair cosine (0.706) measured with it.
LINK_MIN = 0.55
NEIGHBOURS = 20   # candidates kept per claim in block mode
FIRST_PERSON = frozenset({"we", "i", "our", "us"})
STEM = 5          # content words compared by prefix, so "creation" meets "created"


@dataclass
class ClaimRow:
    """One claim as the pass sees it: its text, place, voice and resolved actors."""

    key: int
    doc_id: str
    idx: int
    start: int
    end: int
    text: str
    outlet: str
    published: str | None
    story: str
    predicate: str
    polarity: int
    hedged: bool
    kind: str
    denied: bool = False  # negative because a governing verb denies it ("denied that ...")
    subj: frozenset[str] = frozenset()
    obj: frozenset[str] = frozenset()
    about: frozenset[str] = frozenset()
    asserter: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    event_types: frozenset[str] = frozenset()
    quantity_idxs: tuple[int, ...] = ()
    event_idxs: tuple[int, ...] = ()
    sent: int = -1
    agents: frozenset[str] = frozenset()  # who does it: the subject, or "we" = the speaker
    extra: dict[str, Any] = field(default_factory=dict)



def load_claims(store: Store, doc_ids: Sequence[str] | None = None) -> list[ClaimRow]:
    """Every stored claim (of ``doc_ids`` when given) with its outlet, date, story and actors
    (corpus actor ids; an actor also stands for the actor it is affiliated with, so "Aliyev"
    meets "Azerbaijan")."""
    if doc_ids is None:
        only = ""
    else:
        store.con.register("_claim_docs", pa.table({"doc_id": pa.array(list(doc_ids), pa.string())}))
        only = " JOIN _claim_docs USING (doc_id)"
    try:
        return _load_claims(store, only)
    finally:
        if doc_ids is not None:
            store.con.unregister("_claim_docs")


def _load_claims(store: Store, only: str) -> list[ClaimRow]:
    party: dict[tuple[str, int], frozenset[str]] = {}
    for r in store.query(
        "SELECT le.doc_id, le.local_id, ea.actor_id, aa.actor_id AS aff_actor "
        f"FROM local_entities le{only} LEFT JOIN entity_actor ea USING (doc_id, local_id) "
        "LEFT JOIN actors aa ON aa.key = le.affiliation"
    ):
        ids = {r["actor_id"] or f"{r['doc_id']}:{r['local_id']}"}
        if r["aff_actor"]:
            ids.add(r["aff_actor"])
        key = (r["doc_id"], r["local_id"])
        party[key] = party.get(key, frozenset()) | ids
    story_of: dict[str, str] = {}
    if store.has_table("stories"):
        story_of = {r["doc_id"]: r["story_id"] for r in store.query(
            f"SELECT doc_id, story_id FROM stories{only}")}
    ev_type = {(r["doc_id"], r["idx"]): r["type"] for r in store.query(
        f"SELECT doc_id, idx, type FROM events{only}")}
    ev_source = {(r["doc_id"], r["idx"]): r["source_local_id"] for r in store.query(
        f"SELECT doc_id, idx, source_local_id FROM events{only} WHERE source_local_id IS NOT NULL")}
    # Streamed: a chunk's claims as dicts took as much memory again as its ClaimRows. Rows
    # are read as tuples of the columns used (dicts per row were a fifth of the pass).
    cur = store.con.execute(
        "SELECT c.doc_id, c.idx, c.start_char, c.end_char, c.text, c.predicate, c.kind, "
        "c.sent_idx, c.polarity, c.negated, c.hedged, c.asserter_local_id, "
        "c.subject_local_ids, c.object_local_ids, c.about_local_ids, c.event_idxs, "
        "c.quantity_idxs, c.lemmas, c.subject_text, d.outlet, d.published, d.source "
        f"FROM claims c{only} JOIN documents d USING (doc_id) ORDER BY c.doc_id, c.idx")
    no_one: frozenset[str] = frozenset()

    def actors(doc: str, ids: Sequence[int] | None) -> frozenset[str]:
        s: set[str] = set()
        for i in ids or ():
            s |= party.get((doc, i), no_one)
        return frozenset(s)

    out = []
    k = 0
    while batch := cur.fetchmany(10_000):
        for (doc, idx, start, end, text, predicate, kind, sent_idx, polarity, negated, hedged,
             asserter_id, subject_ids, object_ids, about_ids, event_idxs, quantity_idxs,
             lemmas, subject_text, outlet, published, source) in batch:
            words = frozenset(lemmas or ())
            subj = actors(doc, subject_ids)
            asserter = actors(doc, [asserter_id] if asserter_id is not None else None)
            first_person = (subject_text or "").lower() in FIRST_PERSON
            ev_agents = actors(doc, [ev_source[(doc, i)] for i in event_idxs or ()
                                     if (doc, i) in ev_source])
            out.append(ClaimRow(
                key=k, doc_id=doc, idx=idx, start=start, end=end,
                text=text or "", outlet=outlet or source, published=published,
                story=story_of.get(doc, "all"), predicate=predicate or "",
                polarity=polarity or 1, hedged=bool(hedged), kind=kind or "",
                denied=(polarity or 1) < 0 and not negated,
                subj=subj, obj=actors(doc, object_ids),
                about=actors(doc, about_ids), asserter=asserter,
                sent=sent_idx if sent_idx is not None else -1,
                agents=subj | ev_agents | (asserter if first_person else no_one),
                stems=frozenset(w[:STEM] for w in words), words=words,
                event_types=frozenset(ev_type[(doc, i)] for i in event_idxs or ()
                                      if (doc, i) in ev_type),
                quantity_idxs=tuple(quantity_idxs or ()), event_idxs=tuple(event_idxs or ()),
            ))
            k += 1
    return out


def comparable(claims: Sequence[ClaimRow]) -> list[ClaimRow]:
    """The claims of stories told by at least two documents, re-keyed from 0.

    Every output of the pass (same claim, contradictions, coverage gaps) pairs claims of two
    documents of one story, so a claim alone in its story can take part in none of them:
    it is neither embedded nor compared. On a mixed corpus most stories have one document,
    and embedding their claims was most of the pass's cost.
    """
    docs: dict[str, set[str]] = defaultdict(set)
    for c in claims:
        docs[c.story].add(c.doc_id)
    keep = [c for c in claims if len(docs[c.story]) >= 2]
    return [c if c.key == k else replace(c, key=k) for k, c in enumerate(keep)]


def text_hash(text: str) -> str:
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()[:20]


def claim_vectors(store: Store, claims: Sequence[ClaimRow]) -> np.ndarray:
    """Unit vectors of the claims, embedding only texts not cached (store/vectors.py)."""
    from narrascope.annotate.embed import DIM, all_cores, encode
    from narrascope.store.vectors import add_claim_vectors, claim_vectors_for

    hashes = [text_hash(c.text) for c in claims]
    keys, mat = claim_vectors_for(store.con, hashes)
    cached: dict[str, np.ndarray] = dict(zip(keys, mat, strict=True))
    todo = {h: c.text for h, c in zip(hashes, claims, strict=True) if h not in cached}
    if todo:
        keys = list(todo)
        vecs = encode([todo[h] for h in keys], threads=all_cores(), side_by_side=True)
        add_claim_vectors(store, keys, vecs)
        cached.update(zip(keys, vecs, strict=True))
    if not claims:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([cached[h] for h in hashes]).astype(np.float32, copy=False)


def candidate_pairs(vecs: np.ndarray, members: Sequence[int], docs: Sequence[str],
                    floor: float) -> list[tuple[int, int, float]]:
    """Pairs (i, j, cosine) of claims of different documents with cosine >= ``floor``.

    A story up to ``DENSE_MAX`` claims is one matrix product; beyond that each block of
    claims keeps its ``NEIGHBOURS`` nearest, so memory stays bounded.
    """
    m = np.asarray(members)
    if len(m) < 2:
        return []
    v = vecs[m]
    if len(m) <= DENSE_MAX:
        # one matrix product; the pairs above the diagonal in row order, as the loop below
        # yields them, found by NumPy (the loop's Python per row and pair was most of it)
        sims = v @ v.T
        ii, jj = np.nonzero(np.triu(sims >= floor, k=1))
        _, codes = np.unique(np.asarray([docs[int(k)] for k in m], dtype=object),
                             return_inverse=True)
        keep = codes[ii] != codes[jj]
        ii, jj = ii[keep], jj[keep]
        return list(zip(m[ii].tolist(), m[jj].tolist(), sims[ii, jj].tolist(), strict=True))
    out: list[tuple[int, int, float]] = []
    block = 1024
    for b0 in range(0, len(m), block):
        sims = v[b0:b0 + block] @ v.T
        for r in range(sims.shape[0]):
            i = b0 + r
            row = sims[r]
            top = np.argpartition(-row, min(NEIGHBOURS, len(row) - 1))[:NEIGHBOURS]
            js = [j for j in top if j > i and row[j] >= floor]
            for j in js:
                a, b = int(m[i]), int(m[j])
                if docs[a] != docs[b]:
                    out.append((a, b, float(row[j])))
    return out


def actors_clash(a: ClaimRow, b: ClaimRow, objects: bool = True) -> bool:
    """Both name a subject (or both an object, when ``objects``) and no actor is shared or
    mentioned by the other: they are about different agents."""
    for x, y in ((a.subj, b.subj), (a.obj, b.obj))[:2 if objects else 1]:
        if x and y and not (x & y) and not (x & b.about) and not (y & a.about):
            return True
    return False


def lexical_overlap(a: ClaimRow, b: ClaimRow) -> float:
    if not a.stems or not b.stems:
        return 0.0
    return len(a.stems & b.stems) / min(len(a.stems), len(b.stems))


def same_claim(a: ClaimRow, b: ClaimRow, cos: float) -> bool:
    """Confirm an embedding candidate with structure (see the module docstring)."""
    if a.polarity != b.polarity:
        return False
    if antonym_hit(set(a.words) | {a.predicate}, set(b.words) | {b.predicate}):
        return False
    # Close in meaning, the doers must still agree, but the target may be named two ways
    # ("expelled Belmora's ambassador" / "expelled Petru Lazan").
    if actors_clash(a, b, objects=cos < ACCEPT):
        return False
    lex = lexical_overlap(a, b)
    if cos >= ACCEPT or (cos >= CANDIDATE and lex >= LEXICAL_MIN):
        return True
    # The same move (event type) by the same doer towards the same target: what was done
    # agrees even when the words differ ("supports Armenia" / "sided with Armenia").
    if cos >= CANDIDATE and a.event_types & b.event_types and a.agents & b.agents and \
            a.obj & b.obj:
        return True
    return cos >= FLOOR and lex >= LEXICAL_STRONG and len(a.stems & b.stems) >= 2


def story_blocks(claims: Sequence[ClaimRow]) -> list[list[int]]:
    """Claim keys per comparison block: one block per story, in order of first publication.

    A story is compared with itself only, so what the pass finds in one story does not
    depend on the rest of the corpus: a re-run recomputes only the stories that changed.
    """
    by_story: dict[str, list[int]] = defaultdict(list)
    first: dict[str, str] = {}
    for c in claims:
        by_story[c.story].append(c.key)
        p = c.published or "9999"
        first[c.story] = min(first.get(c.story, p), p)
    return [by_story[s] for s in sorted(by_story, key=lambda s: (first[s], s))]


def group_claims(claims: Sequence[ClaimRow], vecs: np.ndarray,
                 extra_links: Sequence[tuple[int, int]] = ()) -> list[list[tuple[int, float]]]:
    """Groups of claims told by at least two documents: lists of (claim key, best cosine)."""
    uf = UnionFind(len(claims))
    best: dict[int, float] = defaultdict(float)
    docs = [c.doc_id for c in claims]
    members_of: dict[int, list[int]] = {c.key: [c.key] for c in claims}
    confirmed = []
    for block in story_blocks(claims):
        for i, j, cos in candidate_pairs(vecs, block, docs, FLOOR):
            if same_claim(claims[i], claims[j], cos):
                confirmed.append((cos, i, j))
    # Strongest pairs first; a merge must keep the average cross-similarity high.
    for cos, i, j in sorted(confirmed, reverse=True):
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            continue
        a, b = members_of[ri], members_of[rj]
        if len(a) + len(b) > 2 and float((vecs[a] @ vecs[b].T).mean()) < LINK_MIN:
            continue
        uf.union(ri, rj)
        members_of[uf.find(ri)] = a + b
        best[i], best[j] = max(best[i], cos), max(best[j], cos)
    for i, j in extra_links:
        uf.union(i, j)
        best[i], best[j] = max(best[i], 1.0), max(best[j], 1.0)
    comps: dict[int, list[int]] = defaultdict(list)
    for c in claims:
        comps[uf.find(c.key)].append(c.key)
    return [[(k, round(best[k], 4)) for k in ks] for ks in comps.values()
            if len({docs[k] for k in ks}) >= 2]


def claims_pass(store: Store) -> None:
    """Link pass: claim groups, verbatim reuse, contradictions and coverage gaps.

    Stories are independent (:func:`story_blocks`), so the pass recomputes only the stories
    whose inputs changed since it last ran (:func:`story_fingerprints`) and keeps the rows
    of the others; the stories it recomputes are read in chunks of at most ``CHUNK_DOCS``
    documents, so memory follows the chunk, not the corpus. Each chunk's rows and
    fingerprints are written in one transaction: a crash leaves every story either as it
    was or recomputed.
    """
    from narrascope.link.claim_checks import verbatim_reuse

    members = story_members(store)
    reuse = verbatim_reuse(store)
    reuse_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    story_of = {d: s for s, docs in members.items() for d in docs}
    for p in reuse:
        if p["doc_id"] in story_of:
            reuse_of[story_of[p["doc_id"]]].append(p)
    prints = story_fingerprints(store, members, reuse_of)
    todo, kept = changed_groups(store, _STATE, prints)
    _keep_only(store, kept, reuse)
    LOGGER.info("claims pass: %d of %d stories to compare (%d kept)",
                len(todo), len(members), len(kept))
    for chunk in _chunks(todo, members):
        _compare_chunk(store, chunk, members, reuse_of, prints)


def _compare_chunk(store: Store, chunk: Sequence[str], members: dict[str, list[str]],
                   reuse_of: dict[str, list[dict[str, Any]]], prints: dict[str, str]) -> None:
    """Compare and write the stories of one chunk. A function of its own so that the
    chunk's claims, vectors and rows are freed before the next chunk is loaded (as locals
    of the loop they lived on through the next chunk's loading: at 4,000 replicated
    AllSides documents Python's heap held 388 MB while the second chunk was loaded, 229 MB
    while the first was)."""
    docs = [d for s in chunk for d in members[s]]
    claims = comparable(load_claims(store, docs))
    vecs = claim_vectors(store, claims)
    chunk_reuse = [p for s in chunk for p in reuse_of.get(s, ())]
    g, m, c, gaps = compare_claims(store, claims, vecs, chunk_reuse)
    _insert_stories(store, g, m, c, gaps, {s: prints[s] for s in chunk})


_STATE = "claims:story:"
CHUNK_DOCS = 500  # documents whose claims are held at once (about 0.4 MB each)
PARTITION_SLICE = 500_000  # entity rows digested at once (actor_partition_digests)


def story_members(store: Store) -> dict[str, list[str]]:
    """Documents of every story told by at least two documents (the whole corpus is one
    story, ``all``, when the stories pass has not run)."""
    if store.has_table("stories") and store.count("stories"):
        rows = store.query(
            "SELECT s.story_id, s.doc_id FROM stories s JOIN documents USING (doc_id) "
            "ORDER BY s.story_id, s.doc_id")
    else:
        rows = [{"story_id": "all", "doc_id": r["doc_id"]}
                for r in store.query("SELECT doc_id FROM documents ORDER BY doc_id")]
    out: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        out[r["story_id"]].append(r["doc_id"])
    return {s: docs for s, docs in out.items() if len(docs) >= 2}


def story_fingerprints(store: Store, members: dict[str, list[str]],
                       reuse_of: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Per story, a digest of everything the pass reads about its documents (their claims,
    quantities, events, outlets and dates, the corpus actors of their entities, the reuse
    passages in them) and of the link code: equal digests give equal results."""
    from narrascope.link.state import grouped_digests, link_code_digest

    code = link_code_digest()
    store.con.register("_story_docs", pa.table({
        "doc_id": pa.array([d for docs in members.values() for d in docs], pa.string()),
        "grp": pa.array([s for s, docs in members.items() for _ in docs], pa.string())}))
    try:
        parts = [
            grouped_digests(store, "_story_docs", "documents",
                            columns="t.doc_id, t.outlet, t.source, t.published"),
            grouped_digests(store, "_story_docs", "claims"),
            grouped_digests(store, "_story_docs", "quantities"),
            grouped_digests(store, "_story_docs", "events",
                            columns="t.doc_id, t.idx, t.type, t.source_local_id"),
            actor_partition_digests(store, "_story_docs"),
        ]
    finally:
        store.con.unregister("_story_docs")
    out = {}
    for s in members:
        reuse = reuse_partition(reuse_of.get(s, ()))
        digest = "|".join([*(part.get(s, "0:0") for part in parts), repr(reuse), code])
        out[s] = hashlib.sha1(digest.encode()).hexdigest()
    return out


def reuse_partition(passages: Sequence[dict[str, Any]]) -> list[tuple[tuple[str, int, int], ...]]:
    """A story's reuse passages as :func:`reuse_links` reads them: which of its passages
    (doc_id, start, end) are copies of one another, without the groups' ids.

    A reuse group's id is a digest of all its passages, so a document that copies the
    passage anew renames the group in every story its copies are in. On 1,500 AllSides
    articles plus 15, that alone sent 47 of the 59 stories the re-run recompared back
    to comparison."""
    by_group: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for p in passages:
        by_group[p["reuse_id"]].append((p["doc_id"], p["start_char"], p["end_char"]))
    return sorted(tuple(sorted(v)) for v in by_group.values())


def actor_partition_digests(store: Store, groups: str) -> dict[str, str]:
    """Per story (``groups``: a registered ``(doc_id, grp)`` relation), a digest of which of
    its entities stand for the same actor, as :func:`load_claims` reads them (an entity's
    actor and the actor of its affiliation), but not of the actors' ids.

    The pass only tests actor ids for equality within a story, so its result for a story
    is the same under any renaming of the ids. Each id is replaced by the first entity
    (doc_id, local_id) of the story it stands for: a corpus actor that changed its id, or
    that gained or lost entities in other stories only (the actors pass re-clusters the
    whole corpus on every run), leaves the digest as it was. Before, 6 of the 9 stories
    a re-run with 4 new documents recompared on 400 AllSides articles had only that."""
    # The stories are digested in slices of their id's hash, each about PARTITION_SLICE
    # entity rows, and each slice joins only its documents' rows of entity_actor: on
    # 100,000 replicated documents (8M entities) the whole corpus's union and grouping at
    # once ran out of the link passes' 256 MB, and so did slices that joined the whole
    # entity_actor (3.1M rows, the build side of the left join). A story is in one slice.
    slices = slice_count(store.con, f"SELECT count(*) FROM {groups} g "
                         "JOIN local_entities le USING (doc_id)", PARTITION_SLICE)
    out: dict[str, str] = {}
    for i in range(slices):
        out.update((r[0], f"{r[1]}:{r[2]}") for r in store.con.execute(f"""
            WITH g AS (SELECT * FROM {groups} WHERE {in_slice('grp', i, slices)}),
            e AS (
                SELECT g.grp, le.doc_id, le.local_id,
                       coalesce(ea.actor_id, le.doc_id || ':' || le.local_id::VARCHAR) AS a,
                       aa.actor_id AS aff
                FROM g JOIN local_entities le USING (doc_id)
                LEFT JOIN (SELECT * FROM entity_actor
                           WHERE doc_id IN (SELECT doc_id FROM g)) ea USING (doc_id, local_id)
                LEFT JOIN actors aa ON aa.key = le.affiliation),
            ids AS (SELECT grp, doc_id, local_id, a AS id FROM e
                    UNION SELECT grp, doc_id, local_id, aff FROM e WHERE aff IS NOT NULL),
            lab AS (SELECT grp, id, min((doc_id, local_id)) AS first FROM ids GROUP BY grp, id)
            SELECT i.grp, count(*), coalesce(sum(hash(i.doc_id, i.local_id, l.first)::HUGEINT), 0)
            FROM ids i JOIN lab l USING (grp, id) GROUP BY i.grp""").fetchall())
    return out


def _chunks(stories: Sequence[str], members: dict[str, list[str]]) -> list[list[str]]:
    out: list[list[str]] = []
    cur: list[str] = []
    n = 0
    for s in stories:
        if cur and n + len(members[s]) > CHUNK_DOCS:
            out.append(cur)
            cur, n = [], 0
        cur.append(s)
        n += len(members[s])
    if cur:
        out.append(cur)
    return out


def compare_claims(store: Store, claims: Sequence[ClaimRow], vecs: np.ndarray,
                   reuse: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], ...]:
    """Claim groups, their members, contradictions and coverage gaps of ``claims``."""
    from narrascope.link.claim_checks import contradictions

    groups = group_claims(claims, vecs, reuse_links(claims, reuse))
    group_of = {k: gi for gi, g in enumerate(groups) for k, _ in g}
    contra = contradictions(store, claims, vecs, group_of)
    g_rows, m_rows, gap_rows = result_rows(claims, groups)
    return g_rows, m_rows, list(contra), gap_rows


def _keep_only(store: Store, kept: Sequence[str], reuse: Sequence[dict[str, Any]]) -> None:
    """Drop every row and fingerprint of the pass but those of the ``kept`` stories (rows a
    store holds from any earlier run or code included), and replace ``reuse_passages``."""
    with store.transaction() as con:
        con.register("_kept", pa.table({"story_id": pa.array(list(kept), pa.string())}))
        try:
            con.execute("DELETE FROM claim_members WHERE group_id NOT IN (SELECT group_id FROM "
                        "claim_groups JOIN _kept USING (story_id))")
            for t in ("claim_groups", "contradictions", "coverage_gaps"):
                con.execute(f"DELETE FROM {t} WHERE story_id IS NULL OR "
                            "story_id NOT IN (SELECT story_id FROM _kept)")
        finally:
            con.unregister("_kept")
        forget_groups(store, _STATE, kept)
        con.execute("DELETE FROM reuse_passages")
        store.insert_rows("reuse_passages", reuse)


def _insert_stories(store: Store, groups: Sequence[dict[str, Any]],
                    members: Sequence[dict[str, Any]], contra: Sequence[dict[str, Any]],
                    gaps: Sequence[dict[str, Any]], prints: dict[str, str]) -> None:
    """Write the rows of recomputed stories and their fingerprints in one transaction (their
    old rows are already gone: :func:`_keep_only` dropped every story it did not keep)."""
    with store.transaction():
        for name, rows in (("claim_groups", groups), ("claim_members", members),
                           ("contradictions", contra), ("coverage_gaps", gaps)):
            store.insert_rows(name, rows)
        remember_groups(store, _STATE, prints)
    LOGGER.info("claims pass: %d stories, %d groups, %d contradictions, %d gaps",
                len(prints), len(groups), len(contra), len(gaps))


def reuse_links(claims: Sequence[ClaimRow], reuse: Sequence[dict[str, Any]]
                ) -> list[tuple[int, int]]:
    """Claim pairs inside the passages of one reuse group: copied text is the same claim.

    Only pairs within one story: a passage copied into documents of two stories links no
    claims across them (claim groups are per story, like every output of the pass; a group
    spanning two stories kept its rows when one story was recomputed and the other kept,
    and the recomputed story's new group repeated them)."""
    by_doc: dict[str, list[ClaimRow]] = defaultdict(list)
    for c in claims:
        by_doc[c.doc_id].append(c)
    per_group: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in reuse:
        inside = [c for c in by_doc.get(p["doc_id"], ())
                  if c.start < p["end_char"] and p["start_char"] < c.end]
        if inside:
            # The claim covering most of the passage stands for it.
            best = max(inside, key=lambda c: min(c.end, p["end_char"]) - max(c.start, p["start_char"]))
            per_group[(best.story, p["reuse_id"])].append(best.key)
    out = []
    for keys in per_group.values():
        out += [(keys[0], k) for k in keys[1:]]
    return out


def _gid(prefix: str, parts: Sequence[Any]) -> str:
    return prefix + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:12]


def result_rows(claims: Sequence[ClaimRow], groups: Sequence[Sequence[tuple[int, float]]]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of ``claim_groups``, ``claim_members`` and ``coverage_gaps`` for ``groups``."""
    g_rows, m_rows, gap_rows = [], [], []
    story_outlets: dict[str, set[str]] = defaultdict(set)
    for c in claims:
        story_outlets[c.story].add(c.outlet)
    for g in groups:
        members = sorted((claims[k] for k, _ in g), key=lambda c: (c.published or "9999", c.doc_id, c.start))
        gid = _gid("cg", [(c.doc_id, c.idx) for c in members])
        outlets = sorted({c.outlet for c in members})
        sims = dict(g)
        label = min(members, key=lambda c: len(c.text)).text
        g_rows.append({"group_id": gid, "story_id": members[0].story, "label": label[:300],
                       "n_claims": len(members), "n_docs": len({c.doc_id for c in members}),
                       "outlets": outlets,
                       "cohesion": round(float(np.mean([sims[c.key] for c in members])), 4)})
        for c in members:
            m_rows.append({"group_id": gid, "doc_id": c.doc_id, "claim_idx": c.idx,
                           "start_char": c.start, "end_char": c.end, "outlet": c.outlet,
                           "published": c.published, "similarity": sims[c.key]})
        for o in sorted(story_outlets[members[0].story] - set(outlets)):
            gap_rows.append({"story_id": members[0].story, "outlet": o, "group_id": gid,
                             "n_outlets": len(outlets)})
    return g_rows, m_rows, gap_rows
