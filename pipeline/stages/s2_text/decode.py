"""Bytes to str, whatever the page's declared or undeclared encoding.

Order of evidence: byte-order mark, the HTTP charset, the page's own <meta> or
XML declaration, strict UTF-8, then charset_normalizer's guess. ISO-8859-1 and
ASCII labels are read as Windows-1252, as browsers do (WHATWG Encoding).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
}


class DecodeError(ValueError):
    """The bytes are not a text page (empty, binary)."""


def _normal_label(label: str) -> str | None:
    label = label.strip().lower()
    label = WHATWG_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_encoding(content: bytes) -> str | None:
    """Charset named by a <meta> tag or XML declaration in the first 4 KB."""
    match = META_CHARSET.search(content[:4096])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "replace")
    return _normal_label(label)


# Control bytes that text does not hold (tab, newlines, form feed and carriage return do).
CONTROL_BYTES = bytes(range(9)) + bytes(range(14, 32))


def looks_binary(content: bytes) -> bool:
    sample = content[:8192]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))  # counted in C: 0.5 ms -> 5 us a page
    return b"\x00" in sample or controls / len(sample) > 0.05


def decode(content: bytes, http_charset: str = "") -> tuple[str, str]:
    """Return (text, encoding used). Raises DecodeError for empty or binary content."""
    if not content.strip():
        raise DecodeError("empty file")
    for bom, name in BOMS:
        if content.startswith(bom):
            return content.decode(name, errors="replace"), name
    if looks_binary(content):
        raise DecodeError("binary content, not a text or HTML page")
    candidates = [_normal_label(http_charset) if http_charset else None, declared_encoding(content)]
    for enc in candidates:
        if enc is None:
            continue
        try:
            return content.decode(enc), enc
        except UnicodeDecodeError:
            continue  # declared wrongly: fall through to detection
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if mostly_utf8(content):
            return content.decode("utf-8", errors="replace"), "utf-8"
    enc = guess_encoding(content[:200_000])
    return content.decode(enc, errors="replace"), enc


UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def mostly_utf8(content: bytes) -> bool:
    """UTF-8 with a few broken bytes: legacy encodings almost never form valid multi-byte
    UTF-8 sequences by chance, so some valid ones and few invalid ones mean UTF-8."""
    valid = len(UTF8_MULTIBYTE.findall(content))
    invalid = content.decode("utf-8", errors="replace").count("\ufffd")
    return valid > 0 and invalid <= max(8, len(content) // 1000)


def guess_encoding(sample: bytes) -> str:
    """charset_normalizer's guess, except that Windows-1252 wins a near tie: these pages are
    Dutch, French, English or German far more often than Polish or Czech."""
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return "cp1252"
    best = matches[0]
    western = next((m for m in matches if _normal_label(m.encoding) == "cp1252"), None)
    if western is not None and western.percent_chaos <= best.percent_chaos + 1.0:
        return "cp1252"
    return _normal_label(best.encoding) or "cp1252"
