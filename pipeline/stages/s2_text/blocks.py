"""Stage 2, main text: a Document in, ordered Blocks (headings, paragraphs, items, rows) out.

HTML is parsed once with lxml. The cascade in `html_to_blocks`:

1. walk the tree in document order into blocks, keeping headings, list items and
   table rows (cells joined with " | "), and marking blocks inside navigation,
   headers, footers, menus and cookie banners as boilerplate;
2. ask trafilatura (on the same tree) for the main text;
3. keep the blocks trafilatura kept, plus the headings, list items and table rows
   it dropped inside the main-content span (trafilatura is known to drop lists and
   tables on index-like pages, which is how partner pages are built);
4. when trafilatura finds nothing, keep every non-boilerplate block.

Lists and tables are read from the same lxml tree that trafilatura gets, not from a
second BeautifulSoup parse: one parse per page (BeautifulSoup would use lxml anyway).

Plain-text and Markdown files pass through, split into lines and typed by shape.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from pipeline.models import Block, BlockKind, Document, PageText
from pipeline.stages.s2_text import htmlpatterns as hp
from pipeline.stages.s2_text.decode import DecodeError, decode

log = logging.getLogger(__name__)

WS = re.compile(r"\s+")
# Words glued where a tag was lost ("Capitale RigaOgre", "AkzeptierenMehr"): a lower-case
# run of three letters followed by a capitalised word of three. Two-letter prefixes
# ("McDonald", "DeVries", "LaSalle") are names and stay whole.
GLUED = re.compile(r"(?<=[a-zà-ÿ]{3})(?=[A-ZÀ-Ý][a-zà-ÿ]{2})")
BULLET = re.compile(r"^\s*(?:[•·▪►◦‣*]|[-–]\s|\d{1,2}[.)]\s)\s*")
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
LABELLED = re.compile(r"^[^:]{1,40}\s?:\s*\S")  # "Protocol: Jumelage sedert 2014" is a line, not a title
MAX_BLOCKS = 20_000
# libxml2's HTML parser (lxml 5, as trafilatura calls it) nests at most 255 ancestors deep and
# silently drops everything below and after that depth (measured: 252 nested <div>s inside
# html/body/main parse whole; 253 lose the rest of the page). A tree that reaches this depth
# may have lost text, so the page is named (NestingTooDeep) rather than read in part.
PARSER_MAX_ANCESTORS = 255


class NestingTooDeep(ValueError):
    """HTML nested so deep that the parser dropped part of the page."""


@dataclass
class _RawBlock:
    kind: BlockKind
    level: int
    text: str
    boilerplate: bool


def norm(text: str) -> str:
    return GLUED.sub(" ", WS.sub(" ", text)).strip()


def _is_boilerplate(el: HtmlElement) -> bool:
    if el.tag in hp.BOILERPLATE_TAGS:
        return True
    if (el.get("role") or "").lower() in hp.BOILERPLATE_ROLES:
        return True
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(attrs.strip()) and bool(hp.BOILERPLATE_ATTR.search(attrs))


class _Walker:
    """Turns the lxml event stream into raw blocks; iterative, so deep nesting is safe."""

    def __init__(self) -> None:
        self.blocks: list[_RawBlock] = []
        self.buf: list[str] = []
        self.stack: list[tuple[BlockKind, int, bool]] = [("paragraph", 0, False)]
        self.max_depth = 0  # elements on the deepest path, the root included

    def flush(self) -> None:
        text = norm("".join(self.buf))
        self.buf = []
        if text and len(self.blocks) < MAX_BLOCKS:
            kind, level, boiler = self.stack[-1]
            self.blocks.append(_RawBlock(kind, level, text.strip(" |"), boiler))

    def start(self, el: HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        _, _, boiler = self.stack[-1]
        boiler = boiler or _is_boilerplate(el)
        if tag in hp.HEADING_TAGS:
            self.flush()
            self.stack.append(("heading", hp.HEADING_TAGS[tag], boiler))
        elif tag in hp.ITEM_TAGS:
            self.flush()
            self.stack.append(("item", 0, boiler))
        elif tag in hp.ROW_TAGS:
            self.flush()
            self.stack.append(("row", 0, boiler))
        elif tag in hp.BLOCK_TAGS or tag in hp.LINE_BREAK_TAGS:
            self.flush()
            kind, level, _ = self.stack[-1]
            self.stack.append((kind, level, boiler))
        else:
            kind, level, _ = self.stack[-1]
            self.stack.append((kind, level, boiler))
        if el.text and tag not in hp.DROP_TAGS:
            self.buf.append(el.text)

    def end(self, el: HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in hp.CELL_TAGS:
            self.buf.append(" | ")
        if (
            tag in hp.BLOCK_TAGS
            or tag in hp.HEADING_TAGS
            or tag in hp.ITEM_TAGS
            or tag in hp.ROW_TAGS
            or tag in hp.LINE_BREAK_TAGS
        ):
            self.flush()
        self.stack.pop()
        if el.tail:
            self.buf.append(el.tail)


def walk_blocks(tree: HtmlElement) -> list[_RawBlock]:
    """Step 1: all text of the page as typed blocks in document order."""
    return _walk(tree).blocks


def _walk(tree: HtmlElement) -> _Walker:
    walker = _Walker()
    skip_depth = 0
    depth = 0
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        dropped = tag in hp.DROP_TAGS or not isinstance(el.tag, str)
        depth += 1 if event == "start" else -1
        if depth > walker.max_depth:
            walker.max_depth = depth
        if event == "start":
            if skip_depth or dropped:
                skip_depth += 1
                continue
            walker.start(el)
        else:
            if skip_depth:
                skip_depth -= 1
                if skip_depth == 0 and el.tail:
                    walker.buf.append(el.tail)
                continue
            walker.end(el)
    walker.flush()
    return walker


def _trafilatura_text(tree: HtmlElement, url: str) -> str:
    """Step 2: trafilatura's main text (it copies the tree, ours stays intact)."""
    try:
        out = trafilatura.extract(
            tree,
            url=url or None,
            output_format="txt",
            include_tables=True,
            include_comments=False,
            include_formatting=False,
            favor_recall=True,
            deduplicate=False,
            fast=True,
        )
    except (ValueError, TypeError, etree.LxmlError, RecursionError) as exc:
        log.warning("%s: trafilatura failed (%s); falling back to the full page", url, exc)
        return ""
    return norm(out or "")


def select_main(blocks: list[_RawBlock], main_text: str) -> tuple[list[_RawBlock], list[_RawBlock]]:
    """Steps 3-4: (main blocks, boilerplate blocks)."""
    if not main_text:
        keep = [not b.boilerplate for b in blocks]
    else:
        keep = [b.text in main_text for b in blocks]
        kept_idx = [i for i, k in enumerate(keep) if k]
        if kept_idx:
            first, last = kept_idx[0], kept_idx[-1]
            while first > 0 and blocks[first - 1].kind == "heading" and not blocks[first - 1].boilerplate:
                first -= 1
            for i in range(first, last + 1):
                b = blocks[i]
                if not keep[i] and not b.boilerplate and b.kind in ("heading", "item", "row"):
                    keep[i] = True
            keep[first] = keep[first] or not blocks[first].boilerplate
    main = [b for b, k in zip(blocks, keep, strict=True) if k]
    rest = [b for b, k in zip(blocks, keep, strict=True) if not k]
    return main, rest


def html_to_blocks(html: str, url: str = "") -> PageText:
    tree = load_html(html)
    if tree is None:
        raise DecodeError("no HTML could be parsed")
    title_el = tree.find(".//title")
    title = norm(title_el.text_content()) if title_el is not None else ""
    walker = _walk(tree)
    if walker.max_depth - 1 >= PARSER_MAX_ANCESTORS:
        raise NestingTooDeep(
            f"HTML nested {PARSER_MAX_ANCESTORS} or more elements deep: the HTML parser "
            f"drops what lies below that depth, so the page cannot be read whole"
        )
    main_text = _trafilatura_text(tree, url)
    main, rest = select_main(walker.blocks, main_text)
    blocks = tuple(Block(b.kind, b.text, b.level) for b in main)
    return PageText(title, blocks, "\n".join(b.text for b in rest), empty_main=not main_text or not blocks)


def _line_kind(line: str, prev_blank: bool, next_blank: bool) -> tuple[BlockKind, int, str]:
    md = MD_HEADING.match(line)
    if md:
        return "heading", len(md.group(1)), md.group(2).strip()
    if BULLET.match(line):
        return "item", 0, BULLET.sub("", line).strip()
    words = line.split()
    standalone = prev_blank and next_blank
    short = len(words) <= 12 and len(line) <= 90
    looks_title = (
        (short or (standalone and len(words) <= 25 and len(line) <= 200))
        and not line.rstrip().endswith((".", ",", ";", "!", "?"))
        and not LABELLED.match(line)
        and (line[:1].isupper() or line[:1].isdigit())
    )
    if looks_title and (prev_blank or next_blank):
        return "heading", 0, line.rstrip(" :")
    return "paragraph", 0, line


def text_to_blocks(text: str) -> PageText:
    lines = [norm(line) for line in text.splitlines()]
    blocks: list[Block] = []
    for i, line in enumerate(lines):
        if not line or not any(ch.isalnum() for ch in line):
            continue
        prev_blank = i == 0 or not lines[i - 1]
        next_blank = i + 1 >= len(lines) or not lines[i + 1]
        kind, level, content = _line_kind(line, prev_blank, next_blank)
        if content:
            blocks.append(Block(kind, content, level))
        if len(blocks) >= MAX_BLOCKS:
            break
    title = next((b.text for b in blocks if b.kind == "heading"), "")
    return PageText(title, tuple(blocks), "", empty_main=not blocks)


def decode_document(doc: Document) -> str:
    """The document's characters; raises DecodeError on empty/binary input."""
    text, encoding = decode(doc.content, doc.declared_encoding)
    log.debug("%s: decoded as %s", doc.source_id, encoding)
    return text


def text_blocks(doc: Document, text: str) -> PageText:
    """The main text of a decoded document."""
    if doc.media_type == "html":
        return html_to_blocks(text, doc.source_url)
    return text_to_blocks(text)


def document_text(doc: Document) -> PageText:
    """Decode a document and return its main text; raises DecodeError on empty/binary input."""
    return text_blocks(doc, decode_document(doc))
