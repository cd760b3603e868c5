"""Which lines of an article are boilerplate, by general rules.

A line is judged on its own shape (plus whether it stands alone as a paragraph), never
against a list taken from particular articles. The rules, in :func:`boilerplate_reason`:

``nav``       short UI/navigation lines: "Read also |", "More From Me", "Share this",
              "Subscribe to our newsletter", "Facebook Twitter Email", "Site logo".
``fragment``  a paragraph of at most four words, starting lower-case, with no
              punctuation or quote marks ("source site"), or punctuation only ("* * *").
``byline``    "By Jane Roe", "By Jane Roe, Paris, France", "By Jane Roe May 2, 2024".
``dateline``  a line that is only a date, or "Last update: July 14, 2024 01:59",
              "Published on 2 May 2024".
``credit``    photo/image credits and captions: "... / Courtesy", "Photo: AFP".
``bio``       an author blurb: a short unquoted paragraph near the top or bottom with a
              job-title cue ("Editor-in-Chief of", "is a staff writer for",
              "Follow her on Twitter"), or next to an author-navigation line.

Being wrong in the keep direction is cheap (a stray line reaches the annotators), being
wrong in the drop direction loses evidence, so every rule is narrow: short lines only,
nothing with sentence punctuation or quotation marks unless the rule says so.
Headlines and section headings are kept: they often carry quotes ("MP X: “...”").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrascope.ingest.dates import find_date

_QUOTES = '"“”„«»'
_MARKDOWN_LEAD = re.compile(r"^[#>*_\-\s]+")
_WORDS = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*$")

_NAV_START = re.compile(
    r"""^(?:
        read\s+(?:also|more|next|this\s+next|the\s+full)\b | see\s+also\b | also\s+read\b
      | related(?:\s+(?:articles?|stories|story|content|news|topics|posts|coverage|reading))?\s*(?::|$)
      | more\s+(?:from|by|stories|news|articles|on\s+this)\b | most\s+(?:read|popular|viewed)\b
      | (?:view|see|show)\s+(?:all|more)\s+(?:posts|articles|stories|news|comments)\b
      | share\s+(?:this|on|via|the\s+(?:article|story)|article|story)\b | share\s*:
      | subscribe\b | sign\s+up\s+(?:for|to|now|here)\b | newsletter\b
      | follow\s+(?:us|me)\b | advertisement\b | sponsored(?:\s+content)?\s*$
      | click\s+here\b | skip\s+to\b | back\s+to\s+top\b | jump\s+to\b
      | (?:source|original)\s+(?:site|article|link|url)\b
      | leave\s+a\s+(?:comment|reply)\b | \d+\s+comments?\s*$ | comments?\s*(?:\(\d+\))?\s*$
      | all\s+rights\s+reserved\b | copyright\b | © | \(c\)\s*\d{4}
      | (?:image|media|video)\s+caption\b | filed\s+under\b | tags?\s*:
      | (?:listen|watch)\s+(?:to\s+)?(?:this|the)\s+(?:article|story|video)\b
      | (?:this|the)\s+(?:article|story)\s+(?:was\s+)?(?:originally\s+)?(?:appeared|published)\b
    )""",
    re.I | re.X,
)
# Lines made only of these words are share bars and menus ("Facebook Twitter Email").
_UI_WORDS = frozenset(
    (
        "share",
        "email",
        "e-mail",
        "print",
        "tweet",
        "facebook",
        "twitter",
        "x",
        "whatsapp",
        "linkedin",
        "telegram",
        "reddit",
        "pinterest",
        "instagram",
        "youtube",
        "flipboard",
        "copy",
        "link",
        "comments",
        "comment",
        "menu",
        "home",
        "search",
        "close",
        "next",
        "previous",
        "prev",
        "top",
        "more",
        "subscribe",
        "login",
        "logout",
        "advertisement",
        "ad",
    )
)
# The paragraph after one of these headings is the author's blurb.
_ABOUT_AUTHOR = re.compile(r"^(?:about\s+the\s+authors?|author\s+(?:bio|profile))\s*:?\s*$", re.I)

_NAME = r"[A-Z][\w'’.\-]*"
_NAME_PARTICLE = r"(?:de|da|del|di|dos|du|van|von|der|den|al|el|bin|ibn|la|le|y)"
_CALENDAR_WORD = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|"
    r"June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|Updated|Published|Posted)\b"
)
BYLINE = re.compile(
    rf"^(?:By|BY|Written\s+by|Reported\s+by|Story\s+by|Words\s+by|Posted\s+by)\s+"
    rf"(?P<name>(?!(?i:the|a|an|this|that|these|those|now|then)\b){_NAME}(?:\s+(?:(?!{_CALENDAR_WORD}){_NAME}|{_NAME_PARTICLE}(?=\s+[A-Z]))){{0,4}})"
    rf"(?P<tail>.*)$"
)
# What may follow a byline's name: more names, places, dates, times, roles, separators.
_BYLINE_TAIL_TOKEN = re.compile(
    r"""\s*(?:
        [A-Z][\w'’.\-]* | \d{1,4}(?:st|nd|rd|th)?,? | \d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?
      | [ap]\.?m\.? | and | & | for | in | at | of | the | on | with | updated | published
      | staff | writer | reporter | correspondent | editor | contributor | columnist
      | [,|•·–—/@:()\-]+
    )""",
    re.X,
)
DATE_LABEL = re.compile(
    r"^(?:last\s+)?(?:update[sd]?|modified|published|posted|first\s+published|created|date)"
    r"(?:\s+(?:on|at))?\s*[:|\-–—]?\s*(?P<rest>.*)$",
    re.I,
)
_TIME_OR_FILLER = re.compile(
    r"\b(?:\d{1,2}:\d{2}(?::\d{2})?|[ap]\.?m\.?|gmt|utc|cet|cest|edt|est|pdt|pst|bst|"
    r"mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"at|on)\b|[,|•·–—/:()\-+]",
    re.I,
)
_CREDIT_LINE = re.compile(
    r"""^(?:
        (?:photo|image|picture|photograph|illustration|video|file\s+photo|credit)s?
          (?:\s+(?:credit|by|courtesy(?:\s+of)?))?\s*[:/|©]
      | (?:photo|image|picture)s?\s+(?:by|courtesy\s+of)\s
    )""",
    re.I | re.X,
)
# A credit at the end of a caption: only the credit is cut, the caption (which may
# name an actor: "The Foreign Ministry of Azerbaijan / Courtesy") stays content.
_CREDIT_SUFFIX = re.compile(
    r"""(?:
        \s+/\s*(?:courtesy(?:\s+of\s+[^/]+)?|(?-i:[A-Z][\w.&'’\-]*(?:\s+[A-Z][\w.&'’\-]*){0,3}))
      | \s*\((?:photo|image|picture)s?\b[^)]*\)
    )\s*$""",
    re.I | re.X,
)
_BIO_CUE = re.compile(
    r"""\b(?:
        (?:^|[.!?]\s+|\bis\s+(?:the\s+)?)editor[\s-]+in[\s-]+chief\s+(?:of|at)\b
      | is\s+an?\s+(?:senior\s+|staff\s+|freelance\s+|contributing\s+|political\s+)?
          (?:reporter|writer|journalist|correspondent|editor|columnist|contributor)\s+(?:for|at|with)\b
      | follow\s+(?:him|her|them|me)\s+on\s+(?:twitter|x|facebook|instagram)\b
      | (?:reporting|writing|covering)\s+(?:\w+\s+){0,3}for\s+\d+\+?\s+years\b
      | (?:his|her|their)\s+(?:work|writing)\s+has\s+appeared\s+in\b
    )""",
    re.I | re.X,
)
# A paragraph reporting speech is story, whatever job titles it mentions.
_REPORTING = re.compile(r"\b(?:said|says|told|according\s+to|announced|delivered)\b", re.I)
_CREDIT_MAX_WORDS = 6
_BIO_ZONE = 4  # a bio sits among the first or last few paragraphs
_BIO_MAX_WORDS = 80


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a text: ``[start, end)`` without its line break, and why it is boilerplate."""

    start: int
    end: int
    text: str
    reason: str | None = None
    cut: int | None = None  # boilerplate starts at this offset in the line (None: all of it)

    def content(self) -> tuple[int, int] | None:
        """The ``[start, end)`` of this line that is content, whitespace-trimmed, if any."""
        end = self.end if self.reason is None else self.start + (self.cut or 0)
        text = self.text[: end - self.start]
        if not text.strip():
            return None
        return self.start + len(text) - len(text.lstrip()), self.start + len(text.rstrip())


def split_lines(text: str) -> list[Line]:
    """The lines of ``text`` with their offsets (``\\n``, ``\\r\\n`` and ``\\r`` all end a line)."""
    lines = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        lines.append(Line(pos, pos + len(content), content))
        pos += len(raw)
    return lines


def boilerplate_reason(line: str, *, alone: bool = True) -> str | None:
    """The rule that makes one line boilerplate, or None if it is (or may be) content.

    ``alone``: the line is a paragraph by itself (blank or no lines around it); the
    ``fragment`` rule only applies then, so hard-wrapped sentences are never cut.
    """
    raw = line.strip().replace("\ufeff", "")
    s = _MARKDOWN_LEAD.sub("", raw).strip()
    if not s:  # a separator such as "* * *" or "---"
        return "fragment" if raw and alone else None
    words = _WORDS.findall(s)
    n = len(words)
    quoted = any(q in s for q in _QUOTES)
    sentence = bool(_SENTENCE_END.search(s))
    if n == 0:
        return "fragment" if alone else None
    if n <= 8 and not quoted and not sentence:
        if _NAV_START.match(s) or s.startswith("|") or s.endswith("|"):
            return "nav"
        if all(w.lower() in _UI_WORDS for w in words):
            return "nav"
        if n <= 3 and words[-1].lower() == "logo":
            return "nav"
    if alone and n <= 4 and s[0].islower() and not quoted and not re.search(r"[\d.,;:!?]", s):
        return "fragment"
    if n <= 16 and not quoted and _is_byline(s):
        return "byline"
    if n <= 14 and not quoted and _is_dateline(s):
        return "dateline"
    credit = _CREDIT_LINE.match(s)
    # Only a bare credit ("Photo: AFP"); a longer "Image: ..." is a caption, kept as content.
    if credit and not quoted and len(_WORDS.findall(s[credit.end() :])) <= _CREDIT_MAX_WORDS:
        return "credit"
    return None


def credit_suffix(line: str) -> int | None:
    """Where a trailing photo credit ("... / Courtesy", "... (Photo: AFP)") starts, if any."""
    s = line.rstrip()
    words = len(_WORDS.findall(s))
    if words > 30 or any(q in s for q in _QUOTES) or (words > 12 and _SENTENCE_END.search(s[:-1])):
        return None
    match = _CREDIT_SUFFIX.search(s)
    return match.start() if match and s[: match.start()].strip() else None


def _is_byline(s: str) -> bool:
    match = BYLINE.match(s)
    if not match:
        return False
    tail = match.group("tail")
    pos = 0
    while pos < len(tail):
        token = _BYLINE_TAIL_TOKEN.match(tail, pos)
        if not token or token.end() == pos:
            return tail[pos:].strip() == ""
        pos = token.end()
    return True


def _is_dateline(s: str) -> bool:
    label = DATE_LABEL.match(s)
    rest = label.group("rest") if label else s
    found = find_date(rest)
    if not found:
        return False
    leftover = _TIME_OR_FILLER.sub(" ", rest[: found.start] + " " + rest[found.end :])
    return len(_WORDS.findall(leftover)) == 0


def _is_bio(s: str) -> bool:
    words = len(_WORDS.findall(s))
    return (
        words <= _BIO_MAX_WORDS
        and not any(q in s for q in _QUOTES)
        and not _REPORTING.search(s)
        and bool(_BIO_CUE.search(s))
    )


def classify_lines(text: str) -> list[Line]:
    """Every line of ``text`` with ``reason`` set where a rule calls it boilerplate."""
    lines = split_lines(text)
    blank = [not ln.text.strip() for ln in lines]
    reasons: list[str | None] = []
    for i, ln in enumerate(lines):
        if blank[i]:
            reasons.append(None)
            continue
        alone = (i == 0 or blank[i - 1]) and (i + 1 == len(lines) or blank[i + 1])
        reasons.append(boilerplate_reason(ln.text, alone=alone))
    # A fragment between two halves of one sentence is a broken line, not boilerplate.
    for i, reason in enumerate(reasons):
        if reason == "fragment" and _inside_sentence(lines, blank, reasons, i):
            reasons[i] = None
    # Author bios: judged per paragraph among the first/last few, or after "About the author".
    paras = [i for i, b in enumerate(blank) if not b]
    zone = set(paras[:_BIO_ZONE]) | set(paras[-_BIO_ZONE:])
    for k, i in enumerate(paras):
        if reasons[i] is not None:
            continue
        after_heading = k > 0 and bool(_ABOUT_AUTHOR.match(lines[paras[k - 1]].text.strip()))
        if after_heading and _is_bio_shaped(lines[i].text):
            reasons[paras[k - 1]] = reasons[i] = "bio"
        elif i in zone and _is_bio(lines[i].text):
            reasons[i] = "bio"
    out = []
    for ln, reason in zip(lines, reasons, strict=True):
        cut = credit_suffix(ln.text) if reason is None and ln.text.strip() else None
        out.append(Line(ln.start, ln.end, ln.text, "credit" if cut is not None else reason, cut))
    return out


def _inside_sentence(
    lines: list[Line], blank: list[bool], reasons: list[str | None], i: int
) -> bool:
    """Whether line ``i`` sits where a sentence runs on: the text before it does not end
    a sentence, or the text after it continues in lower case."""
    before = next((j for j in range(i - 1, -1, -1) if not blank[j]), None)
    after = next((j for j in range(i + 1, len(lines)) if not blank[j]), None)
    if (
        before is not None
        and reasons[before] is None
        and not re.search(r"[.!?:;…\"”’»)|]\s*$", lines[before].text)
    ):
        return True
    if after is not None and reasons[after] is None:
        first = lines[after].text.lstrip()[:1]
        if first.islower() or first in ",;":
            return True
    return False


def _is_bio_shaped(s: str) -> bool:
    """After "About the author" any short unquoted paragraph is the author's blurb."""
    return len(_WORDS.findall(s)) <= _BIO_MAX_WORDS and not any(q in s for q in _QUOTES)


def body_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """The ``[start, end)`` ranges of ``text`` that are content; ``()`` when all of it is.

    Consecutive content lines (blank lines between them included) form one range, so
    a range ends only where boilerplate interrupts. Edges are trimmed of whitespace.
    A text that is all boilerplate gives ``((0, 0),)``: no content at all.
    """
    return ranges_of(classify_lines(text))


def ranges_of(lines: list[Line]) -> tuple[tuple[int, int], ...]:
    """Content ranges from classified lines (see :func:`body_ranges`)."""
    if not any(ln.reason for ln in lines):
        return ()
    ranges: list[tuple[int, int]] = []
    run: tuple[int, int] | None = None
    for ln in lines:
        part = ln.content()
        if part:
            run = (run[0] if run else part[0], part[1])
        if ln.reason is not None and run:
            ranges.append(run)
            run = None
    if run:
        ranges.append(run)
    return tuple(ranges) or ((0, 0),)
