"""Sidecar metadata: ``sources.csv`` / ``sources.jsonl`` next to the articles.

One row per file (``file,outlet,url,published,title``; ``author`` is read too when
present). ``file`` is the path relative to the sidecar's folder. The sidecar wins over
every other metadata source: it is what the person assembling the corpus knew.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from narrascope.records import Skipped

SIDECAR_NAMES = ("sources.csv", "sources.jsonl")
FIELDS = ("outlet", "url", "published", "title", "author")
_MAX_SIDECAR_BYTES = 50_000_000

Meta = dict[str, str]


def read_sidecars(folder: Path, label: str) -> tuple[dict[str, Meta], list[Skipped]]:
    """Rows of ``folder``'s sidecar files keyed by ``file``, and Skipped records for bad ones.

    ``label`` is how the folder is named in Skipped sources (relative to the analysed root).
    """
    rows: dict[str, Meta] = {}
    skipped: list[Skipped] = []
    for name in SIDECAR_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        source = f"{label}/{name}" if label else name
        try:
            if path.stat().st_size > _MAX_SIDECAR_BYTES:
                skipped.append(
                    Skipped(source, "S004", f"sidecar is over {_MAX_SIDECAR_BYTES} bytes; ignored")
                )
                continue
            raw = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            skipped.append(Skipped(source, "S008", f"sidecar could not be read: {exc}"))
            continue
        except UnicodeDecodeError as exc:
            skipped.append(Skipped(source, "S003", f"sidecar is not UTF-8: {exc.reason}"))
            continue
        parsed = _csv_rows(raw) if name.endswith(".csv") else _jsonl_rows(raw, source, skipped)
        for row in parsed:
            key = (row.get("file") or "").strip().replace("\\", "/")
            if key:
                # A csv and a jsonl sidecar may both exist; the first one listed wins a field.
                meta = rows.setdefault(key, {})
                for field in FIELDS:
                    value = row.get(field)
                    if value is not None and str(value).strip() and field not in meta:
                        meta[field] = str(value).strip()
    return rows, skipped


def _csv_rows(raw: str) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    for row in reader:
        yield {
            str(k).strip().lower(): v
            for k, v in row.items()
            if k is not None and isinstance(v, str)
        }


def _jsonl_rows(raw: str, source: str, skipped: list[Skipped]) -> Iterator[dict[str, str]]:
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(Skipped(source, "S006", f"sidecar line is not JSON: {exc.msg}", line=n))
            continue
        if not isinstance(obj, dict):
            skipped.append(Skipped(source, "S006", "sidecar line is not a JSON object", line=n))
            continue
        yield {str(k).lower(): v for k, v in obj.items()}
