"""Metadata read from the article text itself: byline author and dateline date.

Only the head of the article is searched (datelines sit above the story). A date in a
byline or a "Published:" line is the publication date; a bare date line comes next; a
"Last update:" date is an *update* date, used only when nothing better exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrascope.ingest.boilerplate import BYLINE, DATE_LABEL, boilerplate_reason
from narrascope.ingest.dates import Precision, find_date

_HEAD_LINES = 20
_UPDATE_LABEL = re.compile(r"^(?:last\s+)?(?:update[sd]?|modified)\b", re.I)
# Lower rank wins.
_RANK_PUBLISHED, _RANK_BARE, _RANK_UPDATE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class TextMeta:
    author: str | None = None
    published: str | None = None
    precision: Precision | None = None
    date_from: str | None = None  # which kind of line gave the date, for Document.notes


def text_metadata(text: str) -> TextMeta:
    """Author and date found in the byline/dateline lines at the top of ``text``."""
    author: str | None = None
    best: tuple[int, str, Precision, str] | None = None
    seen = 0
    for raw in text.splitlines():
        line = raw.strip().replace("\ufeff", "")
        if not line:
            continue
        seen += 1
        if seen > _HEAD_LINES:
            break
        reason = boilerplate_reason(line, alone=False)
        if reason == "byline":
            match = BYLINE.match(line)
            if match and author is None:
                author = match.group("name").strip(" ,")
            found = find_date(match.group("tail")) if match else None
            candidate = (_RANK_PUBLISHED, "byline") if found else None
        elif reason == "dateline":
            found = find_date(line)
            label = DATE_LABEL.match(line)
            if _UPDATE_LABEL.match(line):
                candidate = (_RANK_UPDATE, "'last update' line (an update date, not publication)")
            elif label and label.group("rest") != line:
                candidate = (_RANK_PUBLISHED, "dateline")
            else:
                candidate = (_RANK_BARE, "date line")
        else:
            continue
        if found and candidate and (best is None or candidate[0] < best[0]):
            best = (candidate[0], found.iso, found.precision, candidate[1])
    if best is None:
        return TextMeta(author=author)
    return TextMeta(author, best[1], best[2], best[3])
