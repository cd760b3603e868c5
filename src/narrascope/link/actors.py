"""Cross-document actor linking: local entities -> corpus actors.

Pure and sub-quadratic: candidates are blocked by key, by surname, by first name and by title
head; each block compares only distinct name forms, and a name only with the forms a bound on
their similarity lets through (:func:`~narrascope.annotate.names.jaro_winkler_candidates`);
a title-only mention is matched once per distinct title. Merges, in order:

* the same gazetteer/institution key (``country:AZ``, ``org:AZ:foreign ministry``) or the same
  normalised name of one type;
* a defined-elsewhere acronym whose initials one ORG name carries uniquely;
* persons whose full names match (:func:`same_person_name`: spelling variants, not namesakes);
* a surname-only person to the one full-name person with that surname;
* a title-only entity ("the President of Azerbaijan") to the named person who carries a
  compatible title with a compatible affiliation most often elsewhere in the corpus.

Actor ids are content-derived (hash of the cluster's key), so re-running is stable.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from narrascope.annotate.gazetteer import load_gazetteer, norm
from narrascope.annotate.names import (
    first_name_partners,
    person_tokens,
    same_person_name,
    surname_partners,
)
from narrascope.annotate.places import PlaceIndex
from narrascope.annotate.titles import INSTITUTIONS, Title, org_key, parse_title
from narrascope.link.unionfind import UnionFind
from narrascope.records import Actor, ActorType, LocalEntity, Mention

# A title-only entity links to the leading candidate only with this share of the votes.
_TITLE_MAJORITY = 2 / 3
# A name block with more distinct first names (surnames) than this compares a name only
# with its partners (:func:`first_name_partners`, :func:`surname_partners`).
_SMALL_BLOCK = 12


def _is_title_only(e: LocalEntity) -> bool:
    return e.type == "PERSON" and not e.names and bool(e.titles)


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isupper()]
    return "".join(w[0] for w in words)


def _place_demonyms(ents: Sequence[LocalEntity]) -> dict[int, str]:
    """NORP entities named only by the singular demonym of one place the gazetteer does not
    know ("Velonian" -> the "Velonia" of another document), as the join key of that place."""
    gaz = load_gazetteer()
    idx = PlaceIndex()
    for e in ents:
        if e.type == "GPE" and not (e.key or "").startswith("country:"):
            own = [n for n in e.names if not e.key or not e.key.startswith("place:") or norm(n) == e.key[6:]]
            for n in own:
                idx.add(n, f"GPE:{norm(n).removesuffix('s')}")
    out: dict[int, str] = {}
    for i, e in enumerate(ents):
        if e.type != "NORP" or not e.names or not (e.key or "norp:").startswith("norp:"):
            continue
        hits = {idx.demonym(n) for n in e.names if " " not in n.strip() and not gaz.demonym(n)}
        if len(hits) == 1 and None not in hits:
            hit = hits.pop()
            if hit is not None and not hit[1]:
                out[i] = hit[0]
    return out


# Words that make a capitalised name an organisation's, whatever the tagger says.
_ORG_WORDS = frozenset("""
    group party company corporation corp inc ltd llc plc foundation institute university
    college school association union alliance movement front bank fund network news times
    post press media television radio club league federation organisation organization
    centre center trust council society partners holdings airlines
    """.split())  # noqa: SIM905


def _person_shaped(e: LocalEntity) -> bool:
    """An ORG whose every name is two or three capitalised words, none an institution or
    organisation word, and that no gazetteer ties to a country: it may be a person's name."""
    if not e.names or e.affiliation or (e.key and not e.key.startswith("org:")):
        return False
    for n in e.names:
        words = n.split()
        if not 2 <= len(words) <= 3 or n.isupper():
            return False
        if any(not w[:1].isupper() or not w.replace("-", "").replace("'", "").isalpha()
               or norm(w) in INSTITUTIONS or norm(w) in _ORG_WORDS for w in words):
            return False
    return True


def link_actors(
    entities: Iterable[LocalEntity], mentions: Iterable[Mention]
) -> tuple[list[Actor], dict[tuple[str, int], str]]:
    """Link local entities across documents into corpus actors.

    Returns the actors and a map from every ``(doc_id, local_id)`` to its actor id.
    """
    ents = list(entities)
    counts: Counter[tuple[str, int]] = Counter((m.doc_id, m.local_id) for m in mentions)
    actors, actor_of = link_entities(ents, [counts[(e.doc_id, e.local_id)] for e in ents])
    return actors, {(e.doc_id, e.local_id): actors[k].actor_id
                    for e, k in zip(ents, actor_of, strict=True)}


def link_entities(ents: Sequence[LocalEntity], mention_counts: Sequence[int]
                  ) -> tuple[list[Actor], array[int]]:
    """:func:`link_actors` over a list of entities and their mention counts (aligned):
    returns the actors and, per entity, the index of its actor. Nothing per entity is
    kept but the entity itself and a few machine integers, so a corpus of millions of
    entities fits (the store reads them with their strings shared)."""
    gaz = load_gazetteer()
    uf = UnionFind(len(ents))

    first_by: dict[str, int] = {}

    def join(key: str, i: int) -> None:
        j = first_by.setdefault(key, i)
        if j != i:
            uf.union(i, j)

    # 1. keys and exact normalised names (per type); a GPE's names include capitals named by
    # apposition, so "Velo" elsewhere joins the place; singular demonyms of places the
    # gazetteer does not know ("Velonian") join the place named in another document.
    demonym_of = _place_demonyms(ents)
    org_keys: dict[str, str] = {}  # per distinct ORG name
    for i, e in enumerate(ents):
        if i in demonym_of:
            join(demonym_of[i], i)
            continue
        if e.key:
            join(e.key, i)
        if e.type == "ORG":
            for n in e.names:
                if not n.isupper():
                    key = org_keys.get(n)
                    if key is None:
                        key = org_keys[n] = org_key(n, gaz)[0]
                    join(key, i)
        elif e.type in ("GPE", "OTHER") or (e.type == "NORP" and not e.key):
            for n in e.names:
                join(f"{e.type}:{norm(n).removesuffix('s')}", i)

    # 2. persons by full name, blocked by surname and by first name. The tagger sometimes
    # types a person's name ORG (more often when it carries diacritics): an ORG named like a
    # person (:func:`_person_shaped`) joins a PERSON of that name, never another ORG.
    # A block compares a name only with the names whose other part may match it (its
    # partners: first names in a surname block, surnames in a first-name block). Comparing
    # with every name of the block was quadratic in real news, where each new article
    # brings new Johns: 15.5k similarity scores for 400 AllSides articles, 199k for 1,500
    # (now 6.4k and 30k). The partners include every match, so the merges are the same.
    tokens_of: dict[str, tuple[str, ...]] = {}  # the same names come in every document

    def tokens(name: str) -> tuple[str, ...]:
        toks = tokens_of.get(name)
        if toks is None:
            toks = tokens_of[name] = tuple(person_tokens(name))
        return toks

    def person_names(e: LocalEntity) -> Iterable[tuple[str, ...]]:
        if e.type != "PERSON" and not (e.type == "ORG" and _person_shaped(e)):
            return ()
        return [t for t in map(tokens, e.names) if len(t) >= 2]

    parts: dict[str, set[str]] = defaultdict(set)
    for e in ents:
        for toks in person_names(e):
            parts[f"l:{toks[-1]}"].add(toks[0])
            parts[f"f:{toks[0]}"].add(toks[-1])
    # Only blocks of more than _SMALL_BLOCK parts (a few thousand at 1,500 articles, of
    # 14,000 blocks) get partners; the others compare all their names, as before.
    partners = {b: (first_name_partners if b.startswith("l:") else surname_partners)(sorted(p))
                for b, p in parts.items() if len(p) > _SMALL_BLOCK}
    del parts
    # block -> the names (token tuples) seen, each with its first entity, in arrival order
    # (a name typed ORG is added again by each ORG that carries it, until a PERSON does: the
    # type rule below never pairs two ORGs); for a block with partners, also by the compared
    # part (first name in "l:", surname in "f:"), with each entry's position in the block.
    blocks: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
    by_part: dict[str, dict[str, tuple[list[int], list[tuple[tuple[str, ...], int]]]]] = {
        b: {} for b in partners}
    # What a name already found in a block, per (block, name, is the entity a PERSON): how
    # many entries it has been compared with, an entity of the cluster holding every match
    # among them (None: no match), and whether one of them was the name itself. A name met
    # again is compared only with the entries added since: "White House" (person-shaped,
    # typed ORG) came 450 times in 1,500 articles, each time compared with every earlier
    # one, and every "X House" with all of them.
    memo: dict[tuple[str, tuple[str, ...], bool], tuple[int, int | None, bool]] = {}
    for i, e in enumerate(ents):
        person = e.type == "PERSON"
        for toks in person_names(e):
            for b, part in ((f"l:{toks[-1]}", toks[0]), (f"f:{toks[0]}", toks[-1])):
                entries = blocks[b]
                start, rep, seen = memo.get((b, toks, person), (0, None, False))
                near = partners.get(b)
                if near is None:
                    cands = entries[start:]
                else:
                    cands = []
                    for other_part in near[part]:
                        pos, items = by_part[b].get(other_part, ((), ()))
                        cands.extend(items[bisect_left(pos, start):])
                matched = rep is not None
                if rep is not None:
                    uf.union(i, rep)
                for other, j in cands:
                    if not person and ents[j].type != "PERSON":
                        continue
                    if other == toks:
                        uf.union(i, j)
                        seen = matched = True
                    elif same_person_name(list(toks), list(other)):
                        uf.union(i, j)
                        matched = True
                memo[(b, toks, person)] = (len(entries), i if matched else None, seen)
                if not seen:
                    if near is not None:
                        pos_items = by_part[b].setdefault(part, ([], []))
                        pos_items[0].append(len(entries))
                        pos_items[1].append((toks, i))
                    entries.append((toks, i))
    del partners, by_part, memo

    # 3. surname-only persons to the single full-name cluster with that surname.
    block_roots: dict[str, list[int]] = {}
    for i, e in enumerate(ents):
        if e.type != "PERSON" or not e.names or any(len(tokens(n)) > 1 for n in e.names):
            continue
        b = f"l:{norm(e.names[0])}"
        _join_sole_cluster(uf, i, block_roots, b, (j for _, j in blocks.get(b, [])))
    del block_roots
    tokens_of.clear()

    # 4. acronyms to the one ORG whose name has those initials.
    by_initials: dict[str, set[int]] = defaultdict(set)
    for i, e in enumerate(ents):
        if e.type == "ORG":
            for n in e.names:
                if not n.isupper() and len(_initials(n)) >= 2:
                    by_initials[_initials(n)].add(i)
    initial_roots: dict[str, list[int]] = {}
    for i, e in enumerate(ents):
        for n in e.names:
            if n.isupper() and n.isalpha():
                _join_sole_cluster(uf, i, initial_roots, n, by_initials.get(n, ()))
    by_initials.clear()
    del initial_roots

    # 5. title-only entities to the named person carrying a compatible title.
    titles_of: dict[int, tuple[Title, ...]] = {}
    for i, e in enumerate(ents):
        if e.type == "PERSON" and e.names:
            held = [Title(pt.head, pt.mods, pt.affiliation or e.affiliation)
                    for pt in (parse_title(t, gaz) for t in e.titles) if pt is not None]
            if held:
                titles_of[i] = tuple(held)
    # head -> each distinct title held -> each distinct set of titles its holders carry ->
    # the holders (an entity once per title it carries). Holders come in their thousands
    # ("president"), their distinct titles in tens.
    carried: dict[str, dict[Title, dict[tuple[Title, ...], list[int]]]] = defaultdict(dict)
    for i, held_all in titles_of.items():
        for t in held_all:
            carried[t.head].setdefault(t, {}).setdefault(held_all, []).append(i)
    # The cluster a title joins, by a member (or None: no clear holder). The votes depend on
    # the title and on how holders are clustered; a title-only entity joining one cluster
    # does not change that, unless it came with a key (step 1), which may have put it in a
    # cluster of holders already: then every title is counted again.
    decided: dict[Title, int | None] = {}
    for i, e in enumerate(ents):
        if not _is_title_only(e):
            continue
        pt = parse_title(e.titles[0], gaz)
        if pt is None:
            continue
        pt = Title(pt.head, pt.mods, pt.affiliation or e.affiliation)
        if not (pt.affiliation or pt.mods):
            continue  # "the minister" alone names nobody across documents
        if pt not in decided:
            decided[pt] = _title_vote(pt, carried, uf)
        winner = decided[pt]
        if winner is not None:
            uf.union(i, winner)
        else:
            join(f"title:{pt.head}:{'/'.join(sorted(pt.mods))}:{pt.affiliation}", i)
        if e.key:
            decided.clear()

    return _build(ents, uf, mention_counts)


def _join_sole_cluster(uf: UnionFind, i: int, roots_of: dict[str, list[int]], key: str,
                       members: Iterable[int]) -> None:
    """Join entity ``i`` to the cluster of ``key``'s members (a surname's full names, the
    ORGs with some initials) when they all are in one cluster.

    A cluster only ever grows, so the members are looked up once per key, as the clusters
    they are in then (``roots_of``): those clusters' roots later are the members' roots. A
    block of thousands of members is not walked again for every mention of the key
    (``members`` is read only when ``key`` is new: pass a generator)."""
    clusters = roots_of.get(key)
    if clusters is None:
        clusters = roots_of[key] = sorted({uf.find(j) for j in members})
    roots = {uf.find(r) for r in clusters}
    if len(roots) == 1:
        uf.union(i, roots.pop())


def _title_vote(pt: Title, carried: dict[str, dict[Title, dict[tuple[Title, ...], list[int]]]],
                uf: UnionFind) -> int | None:
    """The cluster (one of its members) whose holders carry ``pt`` in at least
    ``_TITLE_MAJORITY`` of the eligible carryings, or None."""
    heads = {pt.head} | ({"president", "prime minister", "premier", "chancellor",
                          "king", "queen", "emir"} if pt.head == "leader" else set())
    votes: Counter[int] = Counter()
    for h in heads:
        for held, by_titles in carried.get(h, {}).items():
            if not (pt.denotes(held)
                    and (held.affiliation == pt.affiliation or not pt.affiliation or held.mods)):
                continue
            for held_all, holders in by_titles.items():
                if not any(pt.conflicts(o) for o in held_all):
                    votes.update(uf.find(j) for j in holders)
    if votes:
        root, n_votes = votes.most_common(1)[0]
        if n_votes / sum(votes.values()) >= _TITLE_MAJORITY:
            return root
    return None


def _build(ents: Sequence[LocalEntity], uf: UnionFind, counts: Sequence[int]
           ) -> tuple[list[Actor], array[int]]:
    clusters: dict[int, array[int]] = {}
    for i in range(len(ents)):
        root = uf.find(i)
        if root not in clusters:
            clusters[root] = array("q")
        clusters[root].append(i)
    actors: list[Actor] = []
    actor_of = array("q", bytes(8 * len(ents)))
    used: set[str] = set()
    for members in sorted(clusters.values(), key=lambda m: (ents[m[0]].doc_id, ents[m[0]].local_id)):
        group = [ents[i] for i in members]
        types = Counter(e.type for e in group)
        # A person's name the tagger once typed ORG (step 2) stays a person.
        typ: ActorType = "PERSON" if types["PERSON"] and types["ORG"] else types.most_common(1)[0][0]
        keys = sorted({e.key for e in group if e.key})
        names: Counter[str] = Counter(n for e in group for n in e.names)
        if keys and keys[0].startswith(("country:", "place:")):
            canonical = Counter(e.canonical for e in group if e.key == keys[0]).most_common(1)[0][0]
        elif names:
            canonical = max(names, key=lambda n: (min(len(n.split()), 3), names[n], len(n)))
            canonical = canonical.removeprefix("the ").removeprefix("The ")
        else:
            canonical = Counter(e.canonical for e in group).most_common(1)[0][0]
        basis = keys[0] if keys else f"{typ}:{norm(canonical)}"
        aid = "a" + hashlib.sha1(basis.encode()).hexdigest()[:12]
        if aid in used:  # namesakes that did not merge: disambiguate by first member
            first = min((e.doc_id, e.local_id) for e in group)
            aid = "a" + hashlib.sha1(f"{basis}|{first}".encode()).hexdigest()[:12]
        used.add(aid)
        titles: Counter[str] = Counter(t for e in group for t in e.titles)
        aliases = tuple(n for n, _ in names.most_common(20)) + tuple(t for t, _ in titles.most_common(5))
        n_mentions = sum(counts[i] for i in members)
        for i in members:
            actor_of[i] = len(actors)
        actors.append(Actor(aid, canonical, typ, keys[0] if keys else None, aliases, n_mentions))
    return actors, actor_of
