"""Actor mentions in one document: names, titles, demonyms, capitals, acronyms, grouped locally.

``extract_entities`` is pure. It proposes candidate spans (spaCy entities with their types
voted per surface form and checked against the gazetteer; titles attached to names; title-only
noun phrases; "the Xian government"; defined acronyms), keeps a non-nested set preferring the
longest span, then groups the mentions into one :class:`LocalEntity` per actor.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span, Token

from narrascope.annotate.coref import anaphora_mentions, description_cands, group_cands
from narrascope.annotate.gazetteer import Gazetteer, load_gazetteer, norm
from narrascope.annotate.grouping import Cand, group_candidates
from narrascope.annotate.places import (
    PlaceIndex,
    capitals_by_apposition,
    is_demonym_of,
    known_place_of,
)
from narrascope.annotate.titles import INSTITUTIONS, is_title_word, org_key, parse_title
from narrascope.records import ActorType, Document, LocalEntity, Mention

_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART"}
_ACTOR_LABELS: dict[str, ActorType] = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "NORP": "NORP"}
_LOCATIVE = frozenset({"in", "at", "near", "from", "to", "into", "across", "outside", "inside",
                       "around", "throughout", "within", "via", "through", "toward", "towards"})
# Verbs whose "to" names a recipient, not a destination ("cede the island to Athens").
_TRANSFER = frozenset({"give", "hand", "cede", "sell", "surrender", "return", "offer", "lend", "grant",
                       "pay", "deliver", "supply", "transfer", "leave", "owe", "concede", "yield"})
# Nouns that, with a nationality, name the state itself ("the Azerbaijani government").
_STATE_NOUNS = frozenset({"government", "authorities", "administration", "regime", "side", "state"})
_TITLE_MODS = frozenset({"former", "deputy", "acting", "vice", "chief", "senior", "then", "prime", "special",
                         "foreign", "interior", "defense", "defence", "presidential", "top", "state",
                         "of", "the", "and", "general", "executive", "outgoing", "incoming"})
_DEFINITE = frozenset({"the", "this", "that"})


@dataclass
class _Doc:
    sdoc: Doc
    gaz: Gazetteer
    cands: list[Cand] = field(default_factory=list)
    place_of: Callable[[str], str | None] = lambda _t: None


def _trim(span: Span) -> Span | None:
    """Drop a leading determiner/quote and a trailing possessive; cut at a line break."""
    s, e = span.start, span.end
    doc = span.doc
    while s < e and (doc[s].lower_ in ("the", "a", "an") or doc[s].is_punct or doc[s].is_space):
        s += 1
    while e > s and (doc[e - 1].tag_ == "POS" or doc[e - 1].is_punct or doc[e - 1].is_space
                     or doc[e - 1].text in ("'s", "’s")):
        e -= 1
    for i in range(s, e):
        if "\n" in doc[i].text or doc[i].is_space:
            e = i
            break
    return doc[s:e] if e > s else None


def _locative(span: Span) -> bool:
    """Is this place name the object of a locative preposition ("in Baku") or a modifier ("Paris Olympics")?
    The recipient of a transfer is no place ("hand the bay to Zagreb")."""
    root = span.root
    if root.dep_ == "pobj" and root.head.lower_ in _LOCATIVE:
        return not (root.head.lower_ == "to" and root.head.head.lemma_ in _TRANSFER)
    return root.dep_ == "compound" and root.head.pos_ in ("NOUN", "PROPN") and root.head.i >= span.end


def _votes(sdoc: Doc) -> dict[str, str]:
    """Majority actor label per surface form across the document."""
    c: dict[str, Counter[str]] = defaultdict(Counter)
    for ent in sdoc.ents:
        if ent.label_ in _ACTOR_LABELS:
            t = _trim(ent)
            if t is not None:
                c[norm(t.text)][ent.label_] += 1
    return {k: v.most_common(1)[0][0] for k, v in c.items()}


def _group_modifier(span: Span, person_last: set[str]) -> bool:
    """A name used as the adjective of a plural group noun ("the Kanak people", "Kurdish
    fighters") names a people, whatever label the tagger gave it; known surnames excepted."""
    root = span.root
    head = root.head
    return (
        root.dep_ in ("compound", "amod")
        and head.i == span.end
        and head.tag_ == "NNS"
        and not is_title_word(head.text)
        and norm(root.text) not in person_last
    )


_FINITE = frozenset({"VBZ", "VBD", "VBP"})


def _headline_fragment(span: Span, gaz: Gazetteer) -> bool:
    """A Title-Case headline run the tagger took for a name: it holds a finite verb; or, on a
    Title-Case line, it covers most of the line or runs a place word into other words
    ("Xland Rejects Yish Claims"; a name may start with one: "French National Assembly")."""
    # A finite verb ending a longer name is part of it ("Black Lives Matter").
    body = span if len(span) == 1 else span[:-1]
    if any(t.tag_ in _FINITE or ("Fin" in t.morph.get("VerbForm", []) and t.pos_ in ("VERB", "AUX"))
           for t in body):
        return True
    if len(span) < 2:
        return False
    text = span.doc.text
    lo = text.rfind("\n", 0, span.start_char) + 1
    hi = text.find("\n", span.end_char)
    line = span.doc.char_span(lo, len(text) if hi < 0 else hi, alignment_mode="contract")
    if line is None:
        return False
    words = [t for t in line if t.is_alpha]
    long = [t for t in words if len(t) > 3]
    if len(words) < 4 or sum(t.text[:1].isupper() for t in long) < 0.8 * len(long):
        return False
    if len(span) >= 3 and sum(t.is_alpha for t in span) >= 0.6 * len(words):
        return True
    return any(
        (gaz.country(t.text) or gaz.demonym(t.text)) and t.i > span.start
        and span.doc[t.i - 1].lower_ not in ("of", "and", "for")
        for t in span
    )


def _gaz_type(text: str, label: str, gaz: Gazetteer) -> tuple[ActorType, str, str | None] | None:
    """(type, kind, key) from the gazetteer, or None when it does not know the form."""
    cc = gaz.country(text) or (gaz.country_code(text) if label == "GPE" else None)
    if cc:
        return "GPE", "NAME", f"country:{cc}"
    dem = gaz.demonym(text)
    if dem and text[:1].isupper():
        return ("NORP", "DEMONYM", f"people:{dem[0]}") if dem[1] else ("GPE", "DEMONYM", f"country:{dem[0]}")
    return None


def _title_left(sdoc: Doc, start: int, sent_start: int) -> int:
    """Leftmost token of a title written before a name ("French Interior Minister | Gérard Darmanin")."""
    j = start - 1
    if j < sent_start or not is_title_word(sdoc[j].text):
        return start
    gaz = load_gazetteer()
    left = start
    while j >= sent_start:
        t = sdoc[j]
        if t.is_punct or t.is_space or t.ent_type_ in ("DATE", "TIME", "CARDINAL"):
            break
        ok = (
            is_title_word(t.text)
            or (t.text[:1].isupper() and t.pos_ in ("PROPN", "NOUN", "ADJ"))
            or t.lower_ in _TITLE_MODS
            or gaz.demonym(t.text) is not None
        )
        if not ok or t.lower_ in ("the", "and", "of"):
            break
        left = j
        j -= 1
    return left


def _add(d: _Doc, span: Span, kind: str, typ: ActorType, key: str | None, *, name: str | None = None,
         title: str | None = None, affiliation: str | None = None, prio: int = 0) -> None:
    while len(span) > 1 and (span[-1].is_space or span[-1].text.isspace()):
        span = span.doc[span.start : span.end - 1]
    if name is not None:
        name = name.strip()
    d.cands.append(Cand(span.start_char, span.end_char, span.text, kind, typ, key, name, title,
                        affiliation, prio))


def _entity_cands(d: _Doc) -> None:
    sdoc, gaz = d.sdoc, d.gaz
    votes = _votes(sdoc)
    person_last = {norm(e.text).split()[-1] for e in sdoc.ents if e.label_ == "PERSON" and len(e) > 1}
    for ent in sdoc.ents:
        if ent.label_ not in _LABELS:
            continue
        span = _trim(ent)
        if span is None or not any(c.isalpha() for c in span.text):
            continue
        text, k = span.text, norm(span.text)
        g = _gaz_type(text, votes.get(k, ent.label_), gaz)
        if g is not None:
            _add(d, span, g[1], g[0], g[2])
            continue
        label = votes.get(k, ent.label_)
        cap = gaz.capital(text)
        # A bare capital name tagged ORG is the city or its government too; PERSON stays (Washington).
        if cap and label in ("GPE", "ORG", "NORP"):
            if not _locative(span):
                _add(d, span, "CAPITAL", "GPE", f"country:{cap}")
            continue
        if label in ("GPE", "ORG") and len(span) == 1 and k in person_last:
            label = "PERSON"
        if label not in _ACTOR_LABELS:
            if not text[:1].isupper():
                continue
            sub = gaz.subdivision(text)
            if sub:
                _add(d, span, "NAME", "GPE", f"subdiv:{sub}")
            elif label in ("LOC", "FAC"):
                # A named sea, river, region or site ("the Bay of Piran") is talked about as one thing.
                _add(d, span, "NAME", "OTHER", None, name=text)
            continue
        typ = _ACTOR_LABELS[label]
        if typ in ("ORG", "PERSON") and _headline_fragment(span, gaz):
            for tok in span:  # keep the places inside "Xland Rejects Yish Claims"
                gt = _gaz_type(tok.text, "NORP", gaz)
                if gt is not None and tok.text[:1].isupper():
                    _add(d, sdoc[tok.i : tok.i + 1], gt[1], gt[0], gt[2])
            continue
        if typ != "NORP" and _group_modifier(span, person_last):
            root = norm(span.root.text).removesuffix("s")
            _add(d, span, "NAME", "NORP", f"norp:{root}", name=span.root.text)
            continue
        if typ == "PERSON":
            if len(span) == 1 and k not in person_last and votes.get(k) != "PERSON" and ent.label_ != "PERSON":
                continue
            left = _title_left(sdoc, span.start, ent.sent.start)
            if left < span.start:
                title = sdoc[left : span.start].text
                pt = parse_title(title, gaz)
                _add(d, sdoc[left : span.end], "NAME", "PERSON", None, name=text, title=title,
                     affiliation=pt.affiliation if pt else None, prio=1)
            else:
                _add(d, span, "NAME", "PERSON", None, name=text)
        elif typ == "ORG":
            _org_cand(d, span)
        elif typ == "GPE":
            sub = gaz.subdivision(text)
            _add(d, span, "NAME", "GPE", f"subdiv:{sub}" if sub else None, name=text)
        else:
            _add(d, span, "NAME", "NORP", f"norp:{k.removesuffix('s')}", name=text)


def _org_cand(d: _Doc, span: Span) -> None:
    """An ORG, widened to "X's <ORG>" and "<ORG> of X" when X is a country."""
    sdoc, gaz = d.sdoc, d.gaz
    s, e = span.start, span.end
    if s >= 2 and sdoc[s - 1].tag_ == "POS" and gaz.country(sdoc[s - 2].text):
        s -= 2
        if s >= 1 and gaz.country(sdoc[s - 1 : s + 1].text):
            s -= 1
    if e + 1 < len(sdoc) and sdoc[e].lower_ == "of" and any(t.lower_ in INSTITUTIONS for t in span):
        for n in (2, 1):
            if e + 1 + n <= len(sdoc) and gaz.country(sdoc[e + 1 : e + 1 + n].text):
                e = e + 1 + n
                break
    wide = sdoc[s:e]
    key, aff = org_key(wide.text, gaz)
    _add(d, wide, "NAME", "ORG", key, name=wide.text, affiliation=aff)


def _nationality(tokens: list[Token], d: _Doc) -> str | None:
    """Place key of the first country name or demonym among ``tokens`` (gazetteer or local)."""
    for t in tokens:
        if not t.text[:1].isupper():
            continue
        cc = d.gaz.country(t.text) or (d.gaz.demonym(t.text) or (None, False))[0]
        key = f"country:{cc}" if cc else d.place_of(t.text)
        if key:
            return key
    return None


def _seat(t: Token, d: _Doc, end: int) -> tuple[str | None, int]:
    """"a government in Zagreb", "the authorities in Kyiv": a state noun placed in a capital
    or a country stands for that country. Returns its key and the phrase end (token index)."""
    inn = next((c for c in t.rights if c.dep_ == "prep" and c.lower_ == "in"), None)
    obj = next((c for c in inn.children if c.dep_ == "pobj"), None) if inn is not None else None
    if obj is None or obj.pos_ != "PROPN":
        return None, end
    seat = d.sdoc[obj.left_edge.i : obj.i + 1]
    code = d.gaz.capital(seat.text) or d.gaz.country(seat.text)
    key = f"country:{code}" if code else d.place_of(seat.text)
    return (key, obj.i + 1) if key else (None, end)


def _chunk_cands(d: _Doc) -> None:
    """Title-only phrases, "the Xian government", "Xian parliament" and acronyms."""
    sdoc, gaz = d.sdoc, d.gaz
    for t in sdoc:
        # Plural nouns are people ("Xian fishermen"), but for the state nouns and invariant
        # institutions ("the Xian police", tagged plural).
        if t.pos_ not in ("NOUN", "PROPN") or (t.tag_ in ("NNS", "NNPS") and t.lower_ not in _STATE_NOUNS
                                               and t.lower_ not in INSTITUTIONS):
            continue
        left = [c for c in t.lefts if c.dep_ in ("det", "amod", "compound", "poss", "nmod", "case")]
        start = min((c.left_edge.i for c in left), default=t.i)
        if any(sdoc[i].ent_type_ == "PERSON" for i in range(start, t.i + 1)):
            continue
        if t.lower_ in INSTITUTIONS or t.lower_ in _STATE_NOUNS:
            for i in range(t.i - 1, start - 1, -1):
                if sdoc[i].tag_ == "POS":
                    if not gaz.country(sdoc[start:i].text):
                        start = i + 1
                    break
            end = t.i + 1
            cc = _nationality(list(sdoc[start : t.i]), d)
            if cc is None and t.text[:1].isupper():
                of = next((c for c in t.rights if c.dep_ == "prep" and c.lower_ == "of"), None)
                tail = sdoc[of.i + 1 : of.right_edge.i + 1] if of is not None else None
                if tail is not None and d.place_of(tail.text):
                    cc, end = d.place_of(tail.text), tail.end
            if cc is None and t.lower_ in _STATE_NOUNS:
                cc, end = _seat(t, d, end)
            if cc is None:
                continue
            while sdoc[start].lower_ in ("the", "a", "an"):
                start += 1
            span = sdoc[start:end]
            if t.lower_ in _STATE_NOUNS:
                _add(d, span, "NAME", "GPE", cc, prio=1)
            else:
                key, aff = org_key(span.text, gaz)
                _add(d, span, "NAME", "ORG", key, name=span.text, affiliation=aff)
            continue
        if not is_title_word(t.text) or (t.dep_ == "compound" and t.head.ent_type_ == "PERSON"):
            continue
        if any(c.dep_ == "poss" and c.pos_ == "PRON" for c in left):
            continue
        det = sdoc[start].lower_ in _DEFINITE or any(c.dep_ == "poss" for c in left)
        if not det and not (t.text[:1].isupper() and not t.is_sent_start):
            continue
        end = t.i + 1
        for c in t.rights:
            if c.dep_ == "prep" and c.lower_ == "of" and c.right_edge.i - c.i <= 8:
                if not any(x.pos_ in ("VERB", "AUX") or x.ent_type_ == "PERSON" for x in c.subtree):
                    end = c.right_edge.i + 1
                break
        while end > t.i + 1 and (sdoc[end - 1].is_punct or sdoc[end - 1].tag_ == "POS"):
            end -= 1
        span = sdoc[start:end]
        pt = parse_title(span.text, gaz)
        if pt is None:
            continue
        owner = _country_possessor(left, d)
        if owner is not None:
            # "Croatia's ambassador": the country keeps its own mention; the title, read whole,
            # is the rest of the phrase.
            _add(d, owner[0], "NAME", "GPE", owner[1])
            _add(d, sdoc[owner[0].end + 1 : end], "TITLE", "PERSON", None, title=span.text,
                 affiliation=pt.affiliation)
            continue
        _add(d, span, "TITLE", "PERSON", None, title=span.text, affiliation=pt.affiliation)


def _country_possessor(left: list[Token], d: _Doc) -> tuple[Span, str] | None:
    """The country (or capital) owning a role noun ("Croatia's ambassador"): its span and key."""
    poss = next((c for c in left if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
    if poss is None or poss.i + 1 >= len(d.sdoc) or d.sdoc[poss.i + 1].tag_ != "POS":
        return None
    owner = d.sdoc[poss.left_edge.i : poss.i + 1]
    code = d.gaz.country(owner.text) or d.gaz.capital(owner.text)
    return (owner, f"country:{code}") if code else None


def _gazetteer_cands(d: _Doc) -> None:
    """Country names of up to three words that the tagger missed or split."""
    sdoc, gaz = d.sdoc, d.gaz
    for t in sdoc:
        if not t.text[:1].isupper() or t.ent_type_ in ("DATE", "TIME", "MONEY", "CARDINAL"):
            continue
        for n in (3, 2, 1):
            span = sdoc[t.i : t.i + n]
            if len(span) < n or not span[-1].text[:1].isupper():
                continue
            cc = gaz.country(span.text)
            if cc and (n > 1 or t.ent_type_ or t.pos_ == "PROPN"):
                _add(d, span, "NAME", "GPE", f"country:{cc}")
                break


def _acronym_cands(d: _Doc) -> None:
    """"Long Name (LN)" defines LN; every later LN token is a mention of the long name."""
    sdoc = d.sdoc
    defined: dict[str, tuple[int, int]] = {}
    for t in sdoc:
        if not (t.text.isupper() and t.is_alpha and 2 <= len(t) <= 8):
            continue
        if t.i >= 2 and t.i + 1 < len(sdoc) and sdoc[t.i - 1].text == "(" and sdoc[t.i + 1].text == ")":
            words = [w for w in sdoc[max(0, t.i - 12) : t.i - 1] if w.text[:1].isupper() and w.is_alpha]
            initials = "".join(w.text[0] for w in words)
            if initials.endswith(t.text):
                first = words[len(words) - len(t.text)]
                long_span = sdoc[first.i : t.i - 1]
                defined[t.text] = (long_span.start_char, long_span.end_char)
                d.cands.append(Cand(t.idx, t.idx + len(t), t.text, "ACRONYM", "ORG", None, t.text,
                                    None, None, 2, alias_of=defined[t.text]))
                continue
        if t.text in defined:
            d.cands.append(Cand(t.idx, t.idx + len(t), t.text, "ACRONYM", "ORG", None, t.text, None,
                                None, 2, alias_of=defined[t.text]))


def _local_places(d: _Doc) -> None:
    """Places the gazetteer does not know: key them, and send their demonyms ("Velonian") and
    capitals named by apposition ("Velo, the Velonian capital") to them. Plural demonyms
    ("Velonians") stay a people, as for known countries."""
    idx = PlaceIndex()
    for c in d.cands:
        if c.type == "GPE" and c.kind == "NAME" and c.name and (c.key is None or c.key.startswith("subdiv:")):
            idx.add(c.name, c.key or f"place:{norm(c.name)}")
    learned = _places_by_morphology(d, idx)
    d.place_of = known_place_of(d.gaz, idx)
    learned_demonyms = {norm(t.text) for t in d.sdoc if t.text[:1].isupper() and idx.demonym(t.text)}
    caps, owners = capitals_by_apposition(d.sdoc, d.place_of)
    for name, key in owners.items():
        idx.add(name, key)
    out: list[Cand] = []
    for c in d.cands:
        k = norm(c.text)
        if c.kind == "NAME" and k in caps and (c.type != "PERSON" or " " not in k):
            span = d.sdoc.char_span(c.start, c.end, alignment_mode="expand")
            if span is not None and _locative(span):
                continue
            c = replace(c, kind="CAPITAL", type="GPE", key=caps[k], name=c.text, title=None, affiliation=None)
        elif c.kind == "NAME" and k in idx.key_of and (
            (c.type == "GPE" and c.key is None) or k in owners or (k in learned and " " not in c.text.strip())
        ):
            c = replace(c, type="GPE", key=idx.key_of[k], name=c.text, title=None, affiliation=None)
        elif (c.kind == "NAME" and (c.type in ("NORP", "GPE") or k in learned_demonyms)
              and " " not in k and not d.gaz.demonym(c.text)):
            hit = idx.demonym(c.text)
            if hit is not None and (not hit[1] or _speaks_for_state(d.sdoc, c)):
                c = replace(c, kind="DEMONYM", type="GPE", key=hit[0], name=None)
        elif c.kind == "DEMONYM" and (c.key or "").startswith("people:") and _speaks_for_state(d.sdoc, c):
            c = replace(c, type="GPE", key=f"country:{(c.key or '')[7:]}")
        elif c.kind == "NAME" and (cc := _plural_people_of(c.text, d.gaz)) and _speaks_for_state(d.sdoc, c):
            c = replace(c, kind="DEMONYM", type="GPE", key=f"country:{cc}", name=None, title=None)
        out.append(c)
    d.cands = out


def _plural_people_of(text: str, gaz: Gazetteer) -> str | None:
    """The country whose people a plural the demonym rules do not derive names: "Croats"
    (Croatia), "Slovenes" (Slovenia), "Turks" (Turkey). Only trusted where the plural
    speaks for a state (:func:`_speaks_for_state`), since "Romans" is no demonym of Romania."""
    w = text.strip()
    if not (w[:1].isupper() and w.endswith("s") and w[:-1].isalpha()):
        return None
    stems = {w[:-1], w[:-2]} if w.endswith("es") else {w[:-1]}
    return next((cc for st in sorted(stems) for end in ("ia", "ey")
                 if len(st) >= 4 and (cc := gaz.country(st + end))), None)


def _speaks_for_state(sdoc: Doc, c: Cand) -> bool:
    """"the Xians say ...": a plural demonym alone, with the article, as a clause's subject
    stands for the state (its government), not the people ("Eleven Xians were killed")."""
    span = sdoc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None or len(span) != 1 or span.start == 0:
        return False
    tok = span[0]
    return (
        tok.dep_ == "nsubj" and tok.head.pos_ in ("VERB", "AUX")
        and sdoc[span.start - 1].lower_ == "the"
        and not any(ch.dep_ in ("amod", "compound", "nummod") for ch in tok.children)
    )


def _person_last(d: _Doc) -> set[str]:
    return {norm(c.name).split()[-1] for c in d.cands if c.type == "PERSON" and c.name and " " in c.name.strip()}


def _places_by_morphology(d: _Doc, idx: PlaceIndex) -> set[str]:
    """Names the tagger typed otherwise that the text shows to be places, added to ``idx``.

    A one-word name whose demonym also occurs in the document ("Belmora" beside "Belmoran",
    "Belmorans") is a place, whatever label the tagger gave it; so is a one-word name the
    tagger called a nationality that is no demonym of anything and stands as a noun
    ("Sarnic believes ...", "Sarnic's warmongers"). A surname of a person named in full
    keeps its person reading ("Trump" beside "Trumpian"). Returns the normalised names.
    """
    person_last = _person_last(d)
    words = {t.text for t in d.sdoc if t.text[:1].isupper() and t.is_alpha}
    learned: set[str] = set()
    for c in d.cands:
        if c.kind != "NAME" or not c.name or " " in c.name.strip():
            continue
        if c.key is not None and not c.key.startswith(("org:", "norp:")):
            continue
        k = norm(c.name)
        if k in person_last or k in idx.key_of or d.gaz.demonym(c.name) or d.gaz.country(c.name):
            continue
        own_demonym = any(w != c.name and is_demonym_of(w, c.name) for w in words)
        bare_norp = c.type == "NORP" and not k.endswith("s") and _noun_use(d.sdoc, c) and not idx.demonym(c.name)
        if (c.type in ("PERSON", "ORG", "NORP") and own_demonym) or bare_norp:
            learned.add(k)
    for k in learned:
        name = next(c.name for c in d.cands if c.name and norm(c.name) == k)
        idx.add(name, f"place:{k}")
    return learned


def _noun_use(sdoc: Doc, c: Cand) -> bool:
    """The candidate's token stands as a bare noun (subject, object, possessor), not an adjective."""
    span = sdoc.char_span(c.start, c.end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    det = any(ch.dep_ == "det" for ch in root.children)
    return not det and root.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "poss")


def _propagate(d: _Doc) -> None:
    """Occurrences of a name the tagger found elsewhere in the document but missed here.

    The small tagger labels "Karvenia on Tuesday ordered" in one sentence and not in the
    next; a place, organisation or person name (and a person's surname) found once is the
    same name wherever its exact words recur capitalised, outside any other candidate.
    """
    forms: dict[tuple[str, ...], Cand] = {}
    for c in d.cands:
        if c.kind not in ("NAME", "CAPITAL") or c.type not in ("GPE", "ORG", "PERSON"):
            continue
        if c.type == "GPE" and not c.key:
            continue
        span = d.sdoc.char_span(c.start, c.end, alignment_mode="expand")
        if span is None:
            continue
        if c.type == "PERSON" and c.name:
            name_toks = tuple(c.name.split())
            if len(name_toks) >= 2:
                last = name_toks[-1]
                forms.setdefault((last,), replace(c, text=last, name=last, title=None, prio=0))
            forms.setdefault(name_toks, replace(c, text=c.name, title=None, prio=0))
        else:
            forms.setdefault(tuple(t.text for t in span), c)
    if not forms:
        return
    taken = sorted((c.start, c.end) for c in d.cands)
    starts = [a for a, _ in taken]
    longest = max(len(k) for k in forms)
    sdoc = d.sdoc
    for t in sdoc:
        if not t.text[:1].isupper() or (t.is_sent_start and t.pos_ != "PROPN"):
            continue
        for n in range(min(longest, len(sdoc) - t.i), 0, -1):
            key = tuple(x.text for x in sdoc[t.i : t.i + n])
            src = forms.get(key)
            if src is None:
                continue
            span = sdoc[t.i : t.i + n]
            a, b = span.start_char, span.end_char
            j = bisect_right(starts, b)
            if any(s < b and a < e for s, e in taken[max(0, j - 8) : j]):
                break
            if src.kind == "CAPITAL" and _locative(span):
                break
            d.cands.append(replace(src, start=a, end=b, text=span.text))
            break


def _select(cands: list[Cand]) -> list[Cand]:
    """Non-nested mentions: acronyms first, then longer spans, then higher priority."""
    chosen: list[Cand] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(cands, key=lambda c: (c.kind != "ACRONYM", -(c.end - c.start), -c.prio, c.start)):
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)


def extract_entities(sdoc: Doc, doc: Document) -> tuple[list[Mention], list[LocalEntity]]:
    """Find the actor mentions of a parsed document and group them into local entities."""
    d = _Doc(sdoc, load_gazetteer())
    _entity_cands(d)
    _local_places(d)
    _chunk_cands(d)
    _gazetteer_cands(d)
    _acronym_cands(d)
    _propagate(d)
    d.cands.extend(description_cands(sdoc, d.cands))
    d.cands.extend(group_cands(sdoc, d.gaz))
    chosen = _select(d.cands)
    sent_starts = [s.start_char for s in sdoc.sents if s.text.strip()]
    mentions, entities = group_candidates(doc.doc_id, chosen, sent_starts, d.gaz)
    return anaphora_mentions(sdoc, mentions, entities, sent_starts), entities
