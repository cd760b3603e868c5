"""Cross-document linking of local entities (no model needed)."""

from __future__ import annotations

from narrascope.link.actors import link_actors
from narrascope.records import LocalEntity


def _e(doc, lid, canonical, typ="PERSON", key=None, names=None, titles=(), aff=None):
    return LocalEntity(doc, lid, canonical, typ, key, tuple(names if names is not None else (canonical,)),
                       tuple(titles), aff)


def _same(actor_of, a, b):
    return actor_of[a] == actor_of[b]


def test_link_spelling_variants_merge():
    ents = [_e("d1", 0, "Gérard Martinon"), _e("d2", 0, "Gérald Martinon"),
            _e("d3", 0, "Ilham Aliyev"), _e("d4", 0, "Ilham Aliev")]
    _, actor_of = link_actors(ents, [])
    assert _same(actor_of, ("d1", 0), ("d2", 0))
    assert _same(actor_of, ("d3", 0), ("d4", 0))
    assert not _same(actor_of, ("d1", 0), ("d3", 0))


def test_link_namesakes_stay_apart():
    ents = [_e("d1", 0, "Bill Clinton"), _e("d2", 0, "Hillary Clinton"), _e("d3", 0, "Hillary Clinton")]
    actors, actor_of = link_actors(ents, [])
    assert not _same(actor_of, ("d1", 0), ("d2", 0))
    assert _same(actor_of, ("d2", 0), ("d3", 0))
    assert len({a.actor_id for a in actors}) == 2


def test_link_surname_only_goes_to_unique_full_name():
    ents = [_e("d1", 0, "Angela Merkel"), _e("d2", 0, "Merkel")]
    _, actor_of = link_actors(ents, [])
    assert _same(actor_of, ("d1", 0), ("d2", 0))


def test_link_title_only_to_holder_with_same_affiliation():
    ents = [
        _e("d1", 0, "William Ruto", titles=("kenyan president",), aff="country:KE"),
        _e("d2", 0, "president of kenya", names=(), titles=("president of kenya",), aff="country:KE"),
        _e("d3", 0, "president of uganda", names=(), titles=("president of uganda",), aff="country:UG"),
    ]
    _, actor_of = link_actors(ents, [])
    assert _same(actor_of, ("d1", 0), ("d2", 0))
    assert not _same(actor_of, ("d1", 0), ("d3", 0))


def test_link_gazetteer_keys_and_org_synonyms():
    ents = [
        _e("d1", 0, "Kenya", "GPE", key="country:KE", names=()),
        _e("d2", 3, "Kenya", "GPE", key="country:KE", names=()),
        _e("d1", 1, "Ministry of Foreign Affairs of Kenya", "ORG", key="org:KE:foreign ministry"),
        _e("d2", 1, "Kenya's Foreign Ministry", "ORG", key="org:KE:foreign ministry"),
    ]
    _actors, actor_of = link_actors(ents, [])
    assert _same(actor_of, ("d1", 0), ("d2", 3))
    assert _same(actor_of, ("d1", 1), ("d2", 1))
    assert not _same(actor_of, ("d1", 0), ("d1", 1))


def test_link_acronym_to_unique_long_form():
    ents = [_e("d1", 0, "Nairobi Peace Forum", "ORG", key="org:nairobi peace forum"),
            _e("d2", 0, "NPF", "ORG", key="org:npf")]
    _, actor_of = link_actors(ents, [])
    assert _same(actor_of, ("d1", 0), ("d2", 0))


def test_link_ids_are_stable_and_content_derived():
    ents = [_e("d1", 0, "Angela Merkel"), _e("d2", 0, "Kenya", "GPE", key="country:KE", names=())]
    _a1, m1 = link_actors(ents, [])
    _a2, m2 = link_actors(list(reversed(ents)), [])
    assert m1 == m2


def test_link_demonym_of_unknown_place_across_documents():
    ents = [
        _e("d1", 0, "Velonia", "GPE", key="place:velonia", names=("Velonia", "Velo")),
        _e("d2", 0, "Velonian", "NORP", key="norp:velonian", names=("Velonian",)),
        _e("d3", 0, "Velonians", "NORP", key="norp:velonian", names=("Velonians",)),
        _e("d4", 0, "Velonia", "GPE", names=("Velonia",)),
    ]
    actors, actor_of = link_actors(ents, [])
    assert _same(actor_of, ("d1", 0), ("d2", 0)) and _same(actor_of, ("d1", 0), ("d4", 0))
    assert not _same(actor_of, ("d1", 0), ("d3", 0))  # the people, not the state
    place = next(a for a in actors if a.actor_id == actor_of[("d1", 0)])
    assert place.canonical == "Velonia" and place.type == "GPE"


def test_link_capital_named_by_apposition_elsewhere():
    ents = [
        _e("d1", 0, "Velonia", "GPE", key="place:velonia", names=("Velonia", "Velo")),
        _e("d2", 0, "Velo", "GPE", key="place:velo", names=("Velo",)),
        _e("d3", 0, "Georgia", "GPE", key="country:GE", names=("Karsk",)),
        _e("d4", 0, "Karsk", "GPE", key="place:karsk", names=("Karsk",)),
    ]
    _, actor_of = link_actors(ents, [])
    assert _same(actor_of, ("d1", 0), ("d2", 0))
    assert _same(actor_of, ("d3", 0), ("d4", 0))
    assert not _same(actor_of, ("d1", 0), ("d3", 0))


def test_link_title_only_needs_the_qualifier():
    ents = [
        _e("d1", 0, "William Ruto", titles=("president of kenya",), aff="country:KE"),
        _e("d2", 0, "president of congress", names=(), titles=("president of congress",)),
        _e("d3", 0, "Jane Wekesa", titles=("minister", "kenyan interior minister"), aff="country:KE"),
        _e("d4", 0, "kenyan foreign minister", names=(), titles=("kenyan foreign minister",),
           aff="country:KE"),
        _e("d5", 0, "Amos Kiprop", titles=("kenyan foreign minister",), aff="country:KE"),
        _e("d6", 0, "kenyan foreign minister", names=(), titles=("the kenyan foreign minister",),
           aff="country:KE"),
    ]
    _, actor_of = link_actors(ents, [])
    assert not _same(actor_of, ("d1", 0), ("d2", 0))
    assert not _same(actor_of, ("d3", 0), ("d4", 0))
    assert _same(actor_of, ("d5", 0), ("d6", 0))


def test_person_name_typed_org_joins_the_person_but_org_names_do_not():
    ents = [_e("d1", 0, "Drazen Djurkovic"),
            _e("d2", 0, "Dražen Đurković", "ORG", "org:drazen djurkovic"),
            _e("d3", 0, "Goldman Sachs", "ORG", "org:goldman sachs"),
            _e("d4", 0, "Sachs Group", "ORG", "org:sachs group"),
            _e("d5", 0, "Robert Sachs")]
    actors, actor_of = link_actors(ents, [])
    assert _same(actor_of, ("d1", 0), ("d2", 0))
    assert next(a for a in actors if a.actor_id == actor_of[("d1", 0)]).type == "PERSON"
    assert not _same(actor_of, ("d3", 0), ("d5", 0))
    assert not _same(actor_of, ("d4", 0), ("d5", 0))


def test_actors_pass_stores_what_link_actors_gives_over_every_entity_and_mention(tmp_path, monkeypatch):
    """The pass reads entities with mention counts (strings shared) and writes the links in
    batches; the tables hold what link_actors gives on the records read one by one."""
    from narrascope.link import passes
    from narrascope.records import DocAnnotation, Document, Mention
    from narrascope.store import Store
    from narrascope.store import db as store_db

    people = [("Gérard Martinon", ()), ("Martinon", ()), ("Ilham Aliyev", ("president",)),
              ("Bill Clinton", ()), ("Hillary Clinton", ()), ("UN", ())]
    anns = []
    for d in range(5):
        doc_id = f"d{d}"
        chosen = people[d:] + people[:d][: d % 3]
        ents = tuple(_e(doc_id, i, n, "ORG" if n == "UN" else "PERSON", titles=t)
                     for i, (n, t) in enumerate(chosen))
        ments = tuple(Mention(doc_id, k, 0, 2, "xx", "NAME", "PERSON", k % len(ents), 0)
                      for k in range(2 * len(ents) + d))
        anns.append(DocAnnotation(Document(doc_id, f"{doc_id}.txt", "xx yy"), mentions=ments,
                                  entities=ents))
    with Store(tmp_path / "s") as store:
        store.write_batch(anns, "v1")
        monkeypatch.setattr(store_db, "_LINK_BATCH", 3)
        passes.actors_pass(store)
        want_actors, want_links = link_actors([e for a in anns for e in a.entities],
                                              [m for a in anns for m in a.mentions])
        got = store.query("SELECT * FROM actors")
        assert [(r["actor_id"], r["canonical"], r["mention_count"], tuple(r["aliases"]))
                for r in got] == [(a.actor_id, a.canonical, a.mention_count, a.aliases)
                                  for a in want_actors]
        links = store.query("SELECT * FROM entity_actor")
        assert [((r["doc_id"], r["local_id"]), r["actor_id"]) for r in links] == sorted(
            want_links.items())
        assert len(want_actors) < len(links) and sum(a.mention_count for a in want_actors) > 50


def _all_pairs_persons(ents):
    """Step 2 of link_entities as it was before blocks had partners: every name of a block
    compared with every other. The reference the pruned version must equal."""
    from narrascope.annotate.names import person_tokens, same_person_name
    from narrascope.link.actors import _person_shaped
    from narrascope.link.unionfind import UnionFind

    uf = UnionFind(len(ents))
    blocks = {}
    for i, e in enumerate(ents):
        if e.type != "PERSON" and not (e.type == "ORG" and _person_shaped(e)):
            continue
        for n in e.names:
            toks = tuple(person_tokens(n))
            if len(toks) < 2:
                continue
            for b in (f"l:{toks[-1]}", f"f:{toks[0]}"):
                block = blocks.setdefault(b, [])
                seen = False
                for other, j in block:
                    if "PERSON" not in (e.type, ents[j].type):
                        continue
                    if other == toks or same_person_name(list(toks), list(other)):
                        uf.union(i, j)
                        seen = seen or other == toks
                if not seen:
                    block.append((toks, i))
    return [uf.find(i) for i in range(len(ents))]


def test_link_persons_same_as_comparing_every_pair():
    """Blocks of many first names and surnames (over the size where the bound prunes):
    spelling variants, initials, namesakes and person-shaped ORGs link exactly as when
    every pair of a block was compared."""
    import random

    from narrascope.link.actors import link_entities

    rng = random.Random(7)
    firsts = ["john", "jon", "johan", "j", "mary", "marie", "maria", "m", "ilham", "ilhan",
              "gerard", "gerald", "anna", "ana", "pavel", "paul", "a"]
    lasts = ["aliyev", "aliev", "martinon", "martinen", "smith", "smyth", "johnson",
             "jonson", "dorescu", "dorescou", "haldovych", "haldovich", "reshko", "reshkov",
             *(f"{c}{v}rsen" for c in "bdkmp" for v in "aeiou")]
    ents = []
    for k in range(600):
        f, last = rng.choice(firsts), rng.choice(lasts)
        name = f"{f.title()} {last.title()}" if len(f) > 1 else f"{f.upper()}. {last.title()}"
        typ = "ORG" if k % 17 == 0 else "PERSON"
        ents.append(_e(f"d{k // 5}", k % 5, name, typ))
    actors, actor_of = link_entities(ents, [1] * len(ents))
    ref = _all_pairs_persons(ents)
    got = {}
    for i, a in enumerate(actor_of):
        got.setdefault(a, set()).add(i)
    want = {}
    for i, r in enumerate(ref):
        want.setdefault(r, set()).add(i)
    # steps 3-5 add nothing here (every name is a full name, no titles), so the clusters
    # are those of the person step alone
    assert sorted(map(sorted, got.values())) == sorted(map(sorted, want.values()))
    assert 1 < len(actors) < len(ents) / 2


def test_link_title_vote_per_title_matches_holders():
    """A title-only mention joins the cluster holding its title in two thirds of the
    carryings; the vote, worked out once per title, holds for every mention of it."""
    ents = [_e("d1", 0, "William Ruto", titles=("kenyan president",), aff="country:KE"),
            _e("d2", 0, "W. Ruto", titles=("kenyan president",), aff="country:KE"),
            _e("d3", 0, "Uhuru Kenyatta", titles=("kenyan president",), aff="country:KE"),
            _e("d4", 0, "Yoweri Museveni", titles=("president of uganda",), aff="country:UG")]
    ents += [_e(f"t{k}", 0, "president of kenya", names=(), titles=("president of kenya",),
                aff="country:KE") for k in range(3)]
    ents += [_e(f"u{k}", 0, "president of uganda", names=(), titles=("president of uganda",),
                aff="country:UG") for k in range(3)]
    _, actor_of = link_actors(ents, [])
    # Kenya: Ruto (2 carryings, W. Ruto joins him) vs Kenyatta (1): 2/3 -> Ruto
    assert all(_same(actor_of, ("d1", 0), (f"t{k}", 0)) for k in range(3))
    assert all(_same(actor_of, ("d4", 0), (f"u{k}", 0)) for k in range(3))
    assert not _same(actor_of, ("d3", 0), ("t0", 0))


def test_link_repeated_person_shaped_org_same_as_comparing_every_pair(monkeypatch):
    """A person-shaped name the tagger types ORG ("White House") is added to its blocks
    again by every ORG carrying it; names met again are compared only with the entries
    added since. Same clusters as comparing every pair, in far fewer comparisons."""
    from narrascope.annotate import names as names_mod
    from narrascope.link import actors as actors_mod

    ents = []
    for k in range(300):
        ents.append(_e(f"o{k}", 0, "White House", "ORG"))
        if k % 25 == 0:
            ents.append(_e(f"p{k}", 0, "Walter House"))
            ents.append(_e(f"q{k}", 0, "Whyte House"))  # a spelling variant of the ORG name
            ents.append(_e(f"r{k}", 0, "White Horse", "ORG"))
        if k == 150:
            ents.append(_e("s", 0, "White House"))  # a PERSON of that name, half way
    calls = []
    real = names_mod.same_person_name
    monkeypatch.setattr(actors_mod, "same_person_name",
                        lambda a, b: calls.append(1) or real(a, b))
    _, actor_of = actors_mod.link_entities(ents, [1] * len(ents))
    # the reference: every pair compared (step 2), plus step 1's join of ORGs by org key
    from narrascope.annotate.gazetteer import load_gazetteer
    from narrascope.link.unionfind import UnionFind

    ref, uf, first = _all_pairs_persons(ents), UnionFind(len(ents)), {}
    for i, r in enumerate(ref):
        uf.union(i, r)
        if ents[i].type == "ORG":
            uf.union(i, first.setdefault(actors_mod.org_key(ents[i].names[0], load_gazetteer())[0], i))
    want, got = {}, {}
    for i, a in enumerate(actor_of):
        want.setdefault(uf.find(i), set()).add(i)
        got.setdefault(a, set()).add(i)
    assert sorted(map(sorted, got.values())) == sorted(map(sorted, want.values()))
    assert 2 < len(got) < 10
    assert len(calls) < 1500  # every pair would be about 300 x 40 + 40 x 40 / 2
