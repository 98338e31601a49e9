"""Bytes to text the way pip decodes a requirements file.

pip looks for a byte-order mark first (so `pip freeze > requirements.txt` in
Windows PowerShell, which writes UTF-16 LE with a BOM, installs fine), then for
a PEP 263 `coding:` comment in the first two lines, then tries UTF-8. We do
the same, and fail where the tenant's pip would misread the file instead of
guessing from this machine's locale.
"""

from __future__ import annotations

import codecs
import re

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
CODING_LINE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class DecodeError(Exception):
    """The bytes are not text pip would read the same way everywhere."""


def decode(data: bytes) -> tuple[str, str, bytes]:
    """Return (text, encoding, bom); raise DecodeError with the reason."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding), encoding, bom

    for line in data.split(b"\n")[:2]:
        declared = CODING_LINE.match(line)
        if declared:
            encoding = declared.group(1).decode("ascii")
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise DecodeError(
                    f"declares the unknown encoding {encoding!r} in a coding "
                    "comment; fix the comment or save the file as UTF-8"
                ) from None
            return _decode(data, encoding), encoding, b""

    if b"\x00" in data[:200]:
        raise DecodeError(
            "looks like UTF-16 or UTF-32 without a byte-order mark, which pip "
            "cannot read; save it as UTF-8"
        )
    return _decode(data, "utf-8"), "utf-8", b""


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"is not valid {encoding} (byte {exc.start}: {exc.reason}); pip on "
            "the tenant would misread it, so save it as UTF-8"
        ) from None
