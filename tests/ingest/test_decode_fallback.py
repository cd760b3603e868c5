"""Short Western single-byte text that the charset detector cannot place is still text."""

from __future__ import annotations

from narrascope.ingest.decode import Decoded, decode_bytes


def test_decode_short_latin1_text_without_a_detector_guess() -> None:
    text = "l?\u00c9tat ?no? ?no? ?no?"
    got = decode_bytes(text.encode("latin-1"))
    assert isinstance(got, Decoded)
    assert got.text == text and got.encoding == "iso-8859-1"
    assert any("mostly ASCII" in n for n in got.notes)


def test_decode_random_high_bytes_are_still_rejected() -> None:
    data = bytes(range(0x80, 0x100)) * 4
    assert not isinstance(decode_bytes(data), Decoded)
