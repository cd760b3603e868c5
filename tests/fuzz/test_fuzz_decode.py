"""Property tests of bytes -> text decoding (ingest/decode.py) on hostile bytes."""

from __future__ import annotations

import codecs

from hypothesis import given
from hypothesis import strategies as st

from narrascope.ingest.decode import Decoded, Undecodable, decode_bytes

from ._common import any_bytes, fuzz_settings, hostile_text

ASCII_PROSE = st.text(alphabet="abcdefghij klmnopqrstuvwxyz.,ABCDEF\n", min_size=8, max_size=400)


@fuzz_settings(factor=3)
@given(data=any_bytes, html=st.booleans())
def test_decode_never_raises_and_is_deterministic(data: bytes, html: bool) -> None:
    first = decode_bytes(data, html=html)
    assert isinstance(first, (Decoded, Undecodable))
    assert decode_bytes(data, html=html) == first
    if isinstance(first, Decoded):
        assert "\x00" not in first.text and first.text.replace("\ufeff", "").strip()
        codecs.lookup(first.encoding)  # names a real codec
    else:
        assert first.code in {"S001", "S002", "S003"}


@fuzz_settings()
@given(text=hostile_text)
def test_valid_utf8_is_kept_exactly(text: str) -> None:
    got = decode_bytes(text.encode("utf-8", "surrogatepass"))
    if isinstance(got, Decoded):
        assert got.text == text and got.encoding == "utf-8"


@fuzz_settings()
@given(text=hostile_text.filter(lambda t: "\x00" not in t), codec=st.sampled_from(["utf-16", "utf-32"]))
def test_utf16_and_utf32_with_a_bom_decode_exactly(text: str, codec: str) -> None:
    data = text.encode(codec, "surrogatepass")
    got = decode_bytes(data)
    if isinstance(got, Decoded):
        assert got.text == text


@fuzz_settings()
@given(text=ASCII_PROSE.filter(lambda t: t.strip()), codec=st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_without_a_bom_is_recognised(text: str, codec: str) -> None:
    got = decode_bytes(text.encode(codec))
    assert isinstance(got, Decoded) and got.text == text and got.encoding == codec


@fuzz_settings()
@given(
    words=st.lists(st.sampled_from(["“Yes,” she said.", "l’État", "café", "— done", "naïve", "‘no’"]),
                   min_size=4, max_size=30),
    codec=st.sampled_from(["cp1252", "latin-1"]),
)
def test_single_byte_western_text_never_decodes_to_c1_controls(words: list[str], codec: str) -> None:
    # The classic failure: cp1252 smart quotes (0x93/0x94) read as Latin-1 become C1
    # control characters. Whatever charset is guessed, the result must be text.
    text = " ".join(words)
    got = decode_bytes(text.encode(codec, "replace"))
    assert isinstance(got, Decoded)
    assert not any("\x80" <= ch <= "\x9f" for ch in got.text), got
