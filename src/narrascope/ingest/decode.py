"""Bytes -> text, exactly as the file says, or the reason it cannot be text.

Order: a UTF-16/32 byte-order mark; strict UTF-8 (a UTF-8 BOM is *kept* as U+FEFF
because gold offsets count it); an encoding declared in HTML; UTF-16 without a BOM
(recognised by its NUL pattern); then charset-normalizer. Non-UTF-8 results carry a
note so a reader knows the text was guessed.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

# (bom, codec, name) — UTF-32 first: its little-endian BOM starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Share of control characters (other than tab/newline/CR/FF/VT) above which a text is binary.
_MAX_CONTROL_SHARE = 0.10


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Undecodable:
    code: str  # S001 empty, S002 binary, S003 undecodable
    detail: str


def decode_bytes(data: bytes, *, html: bool = False) -> Decoded | Undecodable:
    """Decode ``data`` without altering it (no newline or Unicode normalisation)."""
    if not data.strip():
        return Undecodable("S001", "file is empty" if not data else "file holds only whitespace")
    decoded = _decode(data, html=html)
    if isinstance(decoded, Undecodable):
        return decoded
    text = decoded.text
    if "\x00" in text or _control_share(text) > _MAX_CONTROL_SHARE:
        return Undecodable("S002", f"decoded as {decoded.encoding} but mostly control characters")
    if not text.replace("\ufeff", "").strip():
        return Undecodable("S001", "file holds only whitespace")
    return decoded


def _decode(data: bytes, *, html: bool) -> Decoded | Undecodable:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), name, (f"decoded as {name} (byte-order mark)",))
            except UnicodeDecodeError as exc:
                return Undecodable(
                    "S003", f"has a {name} byte-order mark but is not {name}: {exc.reason}"
                )
    if b"\x00" in data:
        # NULs are valid UTF-8, so test before it: UTF-16 without a BOM, else binary.
        utf16 = _utf16_without_bom(data)
        return utf16 or Undecodable("S002", "contains NUL bytes and is not UTF-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if html:
        declared = _declared_charset(data)
        if declared:
            try:
                return Decoded(
                    data.decode(declared), declared, (f"decoded as {declared} (declared in HTML)",)
                )
            except (LookupError, UnicodeDecodeError):
                pass
    return _guess(data)


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 text of mostly ASCII-range characters has a NUL in every other byte."""
    if len(data) % 2:
        return None
    odd_nuls, even_nuls = data[1::2].count(0), data[0::2].count(0)
    half = len(data) // 2
    if odd_nuls > 0.6 * half and even_nuls == 0:
        codec = "utf-16-le"
    elif even_nuls > 0.6 * half and odd_nuls == 0:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return Decoded(text, codec, (f"decoded as {codec} (no byte-order mark; NUL pattern)",))


def _guess(data: bytes) -> Decoded | Undecodable:
    results = from_bytes(data)
    best = results.best()
    if best is None:
        # Short, mostly-ASCII text with a few Western bytes ("l\xc9tat") gives the detector
        # too little to go on; such text is still text. Binary data is caught afterwards by
        # the control-character check.
        high = sum(1 for b in data if b >= 0x80)
        if high <= 0.3 * len(data):
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                pass
            else:
                name = "cp1252" if any(0x80 <= b <= 0x9F for b in data) else "iso-8859-1"
                note = f"decoded as {name} (mostly ASCII; charset-normalizer had no guess)"
                return Decoded(text, name, (note,))
        return Undecodable("S003", "not UTF-8 and charset-normalizer found no plausible encoding")
    chosen, encoding = best, best.encoding
    # On short texts charset-normalizer cannot tell cp1250 from cp1252 (same chaos and
    # coherence); news we read is mostly Western, so among equally good candidates we
    # prefer the one that is (or decodes identically to) cp1252.
    for match in results:
        if (
            match.chaos <= best.chaos + 0.01
            and match.coherence >= best.coherence - 0.05
            and "cp1252" in (match.encoding, *match.could_be_from_charset)
        ):
            chosen, encoding = match, "cp1252"
            break
    if encoding == "cp1252" and not any(0x80 <= b <= 0x9F for b in data):
        encoding = "iso-8859-1"  # identical output; name the simpler charset
    try:
        text = data.decode(_codec_for(encoding, chosen.encoding))
    except UnicodeDecodeError:
        text = str(chosen)
    return Decoded(text, encoding, (f"decoded as {encoding} (charset-normalizer)",))


def _codec_for(name: str, fallback: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return fallback


def _control_share(text: str) -> float:
    sample = text[:100_000]
    controls = sum(
        1 for ch in sample if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc"
    )
    return controls / max(len(sample), 1)
