"""Exports of a store for other tools: ``narrascope export --format NAME``.

Each format registers ``{"name", "suffix", "write"}`` in :data:`FORMATS` (STYLE.md §11),
the same way a plugin would; the CLI and the tests iterate the registry, so a new format
is one new module listed in :data:`BUILTIN`. ``write(store, out)`` returns the paths it
wrote. Every writer orders rows deterministically and takes timestamps from the data, so
two stores with equal contents export byte-identical files.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from narrascope.errors import OptionInvalid
from narrascope.store import Store


class Format(TypedDict):
    name: str
    suffix: str
    write: Callable[[Store, Path], list[Path]]


FORMATS: dict[str, Format] = {}
BUILTIN = ("narrascope.export.tables", "narrascope.export.stix", "narrascope.export.labelstudio")


def register(name: str, suffix: str, write: Callable[[Store, Path], list[Path]]) -> Format:
    """Add an export format (called at import by each format module)."""
    fmt: Format = {"name": name, "suffix": suffix, "write": write}
    FORMATS[name] = fmt
    return fmt


def formats() -> dict[str, Format]:
    """Every registered format, after importing the built-in ones."""
    for mod in BUILTIN:
        importlib.import_module(mod)
    return dict(sorted(FORMATS.items()))


def export(store: Store, fmt: str, out: str | Path) -> list[Path]:
    """Write ``store`` as ``fmt`` to ``out``; returns the files written."""
    known = formats()
    if fmt not in known:
        raise OptionInvalid(f"unknown export format {fmt!r}; choose one of {', '.join(known)}")
    return known[fmt]["write"](store, Path(out))


def single_file(out: Path, suffix: str) -> Path:
    """Where a one-file format writes: ``out`` itself, or ``out/narrascope<suffix>`` when ``out``
    is a folder or has no suffix."""
    if out.is_dir() or not out.suffix:
        out.mkdir(parents=True, exist_ok=True)
        return out / f"narrascope{suffix}"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def dumps(obj: Any) -> str:
    """Canonical JSON: sorted keys, no ASCII escaping, so equal data gives equal bytes."""
    import json

    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1, default=str)


__all__ = ["FORMATS", "Format", "export", "formats", "register"]
