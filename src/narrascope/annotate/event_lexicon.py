"""The event lexicon: which verbs and nouns name which move, in the spirit of PLOVER.

PLOVER (the successor of CAMEO used by POLECAT) types political events by what one actor
does to another. We map lemma classes to those types; some verbs only name a move with a
fitting object ("send troops" is DEPLOY, "send a letter" is not; "impose a curfew" is
RESTRICT), and some nouns name a move when a light verb carries them ("express support",
"sign a memorandum", "declare a state of emergency"). Lists are general English, built
from the PLOVER/CAMEO verb dictionaries' categories, not from any article.
"""

from __future__ import annotations

EVENT_TYPES = (
    "ACCUSE", "REJECT", "DEMAND", "THREATEN", "PROTEST", "AGREE", "SUPPORT", "COOPERATE",
    "ESTABLISH", "EXPEL", "SANCTION", "RESTRICT", "DEPLOY", "ASSAULT", "SUPPLY", "MEET", "SAY",
)
# Types whose two sides play the same role: "signed between X and Y" has no direction.
SYMMETRIC = frozenset({"AGREE", "COOPERATE", "MEET"})
# Alternative names gold files or users may use for the same type.
TYPE_ALIASES = {"DENY": "REJECT", "SIGN": "AGREE", "CRITICIZE": "ACCUSE", "AID": "SUPPLY",
                "ATTACK": "ASSAULT", "CONSULT": "MEET", "MOBILIZE": "DEPLOY"}


def _classes(table: dict[str, str]) -> dict[str, str]:
    return {lemma: typ for words, typ in table.items() for lemma in words.split()}


VERBS: dict[str, str] = _classes({
    "accuse blame allege criticize criticise condemn denounce slam fault "
    "castigate rebuke chastise lambast decry indict smear vilify": "ACCUSE",
    "reject deny dismiss refute rebuff repudiate veto disavow contest dispute "
    "rebut spurn": "REJECT",
    "demand urge insist require summon press": "DEMAND",
    "threaten warn menace": "THREATEN",
    "protest demonstrate rally riot march picket boycott": "PROTEST",
    "sign agree ratify conclude settle": "AGREE",
    "support back endorse defend praise champion applaud welcome hail": "SUPPORT",
    "cooperate collaborate partner ally align": "COOPERATE",
    "create establish found launch form inaugurate": "ESTABLISH",
    "expel deport oust banish extradite": "EXPEL",
    "sanction embargo blacklist": "SANCTION",
    "ban restrict block censor suspend prohibit outlaw curb bar seize detain arrest impound "
    "confiscate fine": "RESTRICT",
    "deploy mobilize mobilise station dispatch": "DEPLOY",
    "attack assault bomb shell invade kill shoot strike raid storm loot massacre": "ASSAULT",
    "supply arm": "SUPPLY",
    "meet visit host": "MEET",
    "say state declare tell announce add note comment respond reply assert stress "
    "claim argue explain write tweet": "SAY",
})

# (verb lemma, particle or preposition) -> type
PHRASAL: dict[tuple[str, str], str] = {
    ("stand", "behind"): "SUPPORT", ("stand", "with"): "SUPPORT", ("side", "with"): "SUPPORT",
    ("stand", "by"): "SUPPORT", ("call", "on"): "DEMAND", ("call", "for"): "DEMAND",
    ("call", "upon"): "DEMAND", ("set", "up"): "ESTABLISH", ("crack", "down"): "RESTRICT",
    ("lash", "out"): "ACCUSE", ("hit", "out"): "ACCUSE", ("speak", "out"): "ACCUSE",
    ("point", "finger"): "ACCUSE", ("kick", "out"): "EXPEL", ("throw", "out"): "EXPEL",
    ("meet", "with"): "MEET", ("side", "against"): "ACCUSE", ("send", "troops"): "DEPLOY",
}

# Verbs that name a move only with a fitting object: lemma -> {object lemma: type}.
FORCES = "troop force soldier army military police gendarme reinforcement unit warship " \
    "ship jet aircraft battalion officer brigade division regiment boat vessel frigate submarine"
ARMS = "weapon arm hardware missile munition ammunition equipment tank carrier drone " \
    "artillery system rifle gun aid rocket"
RESTRICTIONS = "curfew ban restriction blockade lockdown emergency measure censorship " \
    "embargo martial"
OBJECT_VERBS: dict[str, dict[str, str]] = {
    "send": dict.fromkeys(FORCES.split(), "DEPLOY"),
    "provide": dict.fromkeys(ARMS.split(), "SUPPLY"),
    "deliver": dict.fromkeys(ARMS.split(), "SUPPLY"),
    "sell": dict.fromkeys(ARMS.split(), "SUPPLY"),
    "export": dict.fromkeys(ARMS.split(), "SUPPLY"),
    "ship": dict.fromkeys(ARMS.split(), "SUPPLY"),
    "transfer": dict.fromkeys(ARMS.split(), "SUPPLY"),
    "give": dict.fromkeys(ARMS.split(), "SUPPLY"),
    "impose": {**dict.fromkeys(RESTRICTIONS.split(), "RESTRICT"), "sanction": "SANCTION"},
    "introduce": dict.fromkeys(RESTRICTIONS.split(), "RESTRICT"),
    "extend": dict.fromkeys(RESTRICTIONS.split(), "RESTRICT"),
    "declare": {**dict.fromkeys(RESTRICTIONS.split(), "RESTRICT"), "state": "RESTRICT",
                "war": "THREATEN"},
    "open": {"fire": "ASSAULT"},
    "recall": {"ambassador": "EXPEL", "envoy": "EXPEL", "diplomat": "EXPEL"},
    "summon": {"ambassador": "DEMAND", "envoy": "DEMAND"},
    "close": dict.fromkeys(
        ["embassy", "border", "school", "consulate", "crossing", "airspace", "port", "road", "checkpoint", "route"],
        "RESTRICT"),
    "freeze": {"asset": "SANCTION", "account": "SANCTION"},
}

# "ordered the envoy to leave (the country)": a verb of command whose controlled verb is
# "leave" expels the commanded.
EXPEL_COMMANDS = frozenset({"order", "tell", "force", "instruct"})

# Nouns that name a move. With a light verb ("express support") the verb's subject is
# the source; alone ("France's support for Armenia") the possessor or "by" phrase is.
NOUNS: dict[str, str] = _classes({
    "accusation allegation criticism condemnation smear": "ACCUSE",
    "denial rejection refusal rebuttal": "REJECT",
    "demand ultimatum": "DEMAND",
    "threat warning": "THREATEN",
    "protest demonstration rally riot boycott": "PROTEST",
    "agreement memorandum deal treaty accord pact contract": "AGREE",
    "support backing solidarity endorsement": "SUPPORT",
    "cooperation partnership alliance": "COOPERATE",
    "creation establishment founding": "ESTABLISH",
    "expulsion deportation": "EXPEL",
    "sanction embargo": "SANCTION",
    "curfew ban blockade lockdown crackdown restriction": "RESTRICT",
    "deployment": "DEPLOY",
    "attack assault invasion offensive bombing airstrike": "ASSAULT",
    "meeting visit talks summit": "MEET",
})
# "state of emergency", "martial law": multiword nouns, matched on head + modifier.
MULTIWORD_NOUNS: dict[tuple[str, str], str] = {
    ("state", "emergency"): "RESTRICT", ("law", "martial"): "RESTRICT",
    ("delivery", "arm"): "SUPPLY", ("supply", "arm"): "SUPPLY", ("supply", "weapon"): "SUPPLY",
}
# Verbs that carry a move-noun object: the event is the noun's, the source the verb's subject.
LIGHT_VERBS = frozenset(
    ["sign", "express", "voice", "declare", "impose", "make", "level", "issue", "launch", "announce", "introduce", "conclude", "reach", "adopt", "extend", "offer", "pledge", "lend", "give", "show", "provide", "receive", "hold", "order", "trigger", "enforce"]
)
# Nouns that report an accusation: "rejected the claims" targets whoever claimed.
ACCUSATION_NOUNS = frozenset(
    ["claim", "allegation", "accusation", "charge", "statement", "remark", "assertion", "report", "smear"]
)
# Governing verbs that make the embedded move intended, not done ("pledged to support").
INTENT_VERBS = frozenset(
    ["pledge", "promise", "vow", "plan", "intend", "seek", "aim", "want", "try", "attempt", "threaten", "hope", "prepare", "decide", "propose", "offer", "expect", "wish", "mean", "refuse"]
)
# Governing verbs that make the embedded move someone's allegation ("accused X of supporting").
ALLEGE_VERBS = frozenset({"accuse", "allege", "claim", "blame", "suspect", "charge"})
MODALS = {"would": "possible", "could": "possible", "might": "possible", "may": "possible",
          "can": "possible", "should": "obligation", "must": "obligation",
          "will": "future", "shall": "future", "'ll": "future", "wo": "future"}
NEGATIONS = frozenset({"not", "n't", "never", "no"})

# Prepositions that introduce the target, per type, after a direct object.
TARGET_PREPS: dict[str, tuple[str, ...]] = {
    "ACCUSE": ("against", "at"), "REJECT": ("from",), "DEMAND": ("on", "upon", "from", "of"),
    "THREATEN": ("against", "with"), "PROTEST": ("against",),
    "AGREE": ("with", "between"), "SUPPORT": ("for", "behind", "with", "to", "of"),
    "COOPERATE": ("with", "between"), "ESTABLISH": ("of",), "EXPEL": ("of",),
    "SANCTION": ("on", "against"), "RESTRICT": ("on", "against", "in", "across", "of"),
    "DEPLOY": ("to", "in", "into", "across"), "ASSAULT": ("on", "against", "in"),
    "SUPPLY": ("to",), "MEET": ("with",), "SAY": ("to",),
}
# Types whose direct object is the thing moved, not the target ("supply hardware to X").
OBJECT_IS_THING = frozenset({"SUPPLY", "DEPLOY", "RESTRICT", "SAY", "AGREE"})
