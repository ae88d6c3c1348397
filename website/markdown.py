"""Markdown rendering helpers for the export: escaping, relative links, images and tables.

This is the one place where data becomes Markdown text. Everything from the database (names,
raw label strings, summaries) goes through ``escape_text`` or one of the attribute/URL escapers
below, so that it renders literally under GitHub's renderer (cmark-gfm with the table,
autolink, strikethrough and tagfilter extensions, plus GitHub's own math and emoji shortcodes):
no emphasis, no links, no raw HTML, no broken table columns.

The table layout follows the original generator (seed-system.md §3.1): compact pipes
(``| a | b |``), an alignment row (``|:---|---:|``), the first ``Table.initial`` rows, then the
rest inside ``<details><summary>…</summary>`` with blank lines around the inner table.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import quote

from catalog.tables import Cell, Page, Part, Table

# -- text ------------------------------------------------------------------------------------

_WHITESPACE_RUN = re.compile(r"[\r\n\t\v\f]+")
# Characters with an inline meaning in GFM (or on GitHub) wherever they stand: code spans,
# emphasis, links and images, raw HTML, table cells, strikethrough, math.
_ALWAYS_ESCAPED = re.compile(r"([\\`*_\[\]<>|~$])")
# A heading's closing sequence: a run of #s at the end, after a space (or the whole text).
_CLOSING_HASHES = re.compile(r"(?:^|(?<=\s))#(?=#*\s*$)")
# An HTML entity or numeric character reference: "&amp;" must show as "&amp;", not "&".
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# GFM extended autolinks: "www." and "scheme://" start a link; escaping the "." or ":" stops it.
_WWW = re.compile(r"(?i)(www)\.")
_SCHEME = re.compile(r":(?=//)")
# GitHub emoji shortcodes (":smile:"): escape the first colon.
_SHORTCODE = re.compile(r":(?=[A-Za-z0-9+\-]+:)")
# Email autolinks are found after escapes are resolved, so no escape stops them; an empty HTML
# comment (removed by every renderer, never shown) splits the text node instead.
_EMAIL_AT = re.compile(r"(?<=[A-Za-z0-9.+\-_])@(?=[A-Za-z0-9\-_])")
# Block markers at the start of a paragraph, list item or heading: "# x", "- x", "+ x", "= x", "1. x".
_LEADING_MARKER = re.compile(r"^([#\-+=])|^(\d+)([.)])")


# Anything any rule below could act on; most names have none of it and are returned as they are.
_NEEDS_ESCAPING = re.compile(r"[\\`*_\[\]<>|~$#&:@\r\n\t\v\f]|(?i:www)\.|^[\s\-+=\d]|\s$")


def escape_text(value: object) -> str:
    """Plain text → Markdown that renders as exactly that text (inline, in cells and headings).

    Line breaks and tabs become one space and outer whitespace is dropped (a table row is one
    line, and Markdown would drop or reinterpret them anyway). ``None`` gives ``""``.
    """
    return _escape_str("" if value is None else str(value))


@lru_cache(maxsize=65536)  # an export escapes the same artist, album and label names many times
def _escape_str(text: str) -> str:
    if not _NEEDS_ESCAPING.search(text):
        return text
    text = _WHITESPACE_RUN.sub(" ", text).strip()
    text = _ALWAYS_ESCAPED.sub(r"\\\1", text)
    text = _CLOSING_HASHES.sub(r"\\#", text)
    text = _ENTITY.sub(r"\\&", text)
    text = _WWW.sub(r"\1\\.", text)
    text = _SCHEME.sub(r"\\:", text)
    text = _SHORTCODE.sub(r"\\:", text)
    text = _EMAIL_AT.sub("@<!-- -->", text)
    return _LEADING_MARKER.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def escape_html(value: object) -> str:
    """Text for an HTML attribute or element inside Markdown (``alt``, ``<summary>``): one line,
    HTML-escaped, with ``|`` as a character reference so it cannot split a table cell."""
    text = _WHITESPACE_RUN.sub(" ", "" if value is None else str(value)).strip()
    return html.escape(text, quote=True).replace("|", "&#124;")


# -- links -----------------------------------------------------------------------------------

# Characters kept as they are in a link destination; everything else ASCII is percent-encoded.
# Letters of other scripts are kept (GitHub and cmark percent-encode them in the href).
_URL_SAFE = "/:?#@!$&'*+,;=%-._~"


@lru_cache(maxsize=65536)
def escape_url(url: str) -> str:
    """A URL for ``[text](url)`` / ``src="url"``: no space, quote, bracket, pipe or parenthesis
    that could end the destination, split a cell or leave an attribute. Balanced parentheses,
    which the original's slugs contain (``deutsche_grammophon_(dg)``), are kept as they are."""
    encoded = quote(url, safe=_URL_SAFE + "()")
    if _parentheses_balanced(encoded):
        return encoded
    return encoded.replace("(", "%28").replace(")", "%29")


def _parentheses_balanced(text: str) -> bool:
    if "(" not in text and ")" not in text:
        return True
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@lru_cache(maxsize=65536)
def relative_path(target: str, *, from_path: str) -> str:
    """The relative path from the file ``from_path`` to the file ``target`` (both relative to the
    export root, with ``/``): ``labels/a/overview.md`` → ``artists/b/overview.md`` gives
    ``../../artists/b/overview.md``."""
    *target_dirs, name = target.split("/")
    from_dirs = from_path.split("/")[:-1]
    common = 0
    while common < min(len(target_dirs), len(from_dirs)) and target_dirs[common] == from_dirs[common]:
        common += 1
    return "/".join([".."] * (len(from_dirs) - common) + target_dirs[common:] + [name])


def link(text: str, url: str) -> str:
    """``[text](url)`` with the text escaped; plain escaped text when the URL is not web or relative."""
    if not url or re.match(r"(?i)^(?!https?:)[a-z][a-z0-9+.\-]*:", url):
        return escape_text(text)
    return f"[{escape_text(text)}]({escape_url(url)})"


def page_link(text: str, page: Page, *, from_path: str) -> str:
    """A link to another page of the export, relative to the page file ``from_path``."""
    return f"[{escape_text(text)}]({escape_url(relative_path(page.export_path(), from_path=from_path))})"


def image_tag(url: str, *, alt: str = "", width: int | None = None) -> str:
    """``<img src="…" alt="…" width="N" />`` as the original wrote table art and page images."""
    size = f' width="{int(width)}"' if width else ""
    return f'<img src="{escape_html(escape_url(url))}" alt="{escape_html(alt)}"{size} />'


def image_ref(path: str, *, alt: str, from_path: str) -> str:
    """``![alt](relative path)``: a chart of the export, as the original referenced charts."""
    return f"![{escape_text(alt)}]({escape_url(relative_path(path, from_path=from_path))})"


# -- tables ----------------------------------------------------------------------------------


def part_to_markdown(part: Part, *, from_path: str) -> str:
    if part.image:
        return image_tag(part.image, alt=part.text, width=part.image_width)
    if part.page is not None:
        return page_link(part.text, part.page, from_path=from_path)
    if part.url:
        return link(part.text, part.url)
    return escape_text(part.text)


def cell_to_markdown(cell: Cell, *, from_path: str) -> str:
    rendered = [part_to_markdown(p, from_path=from_path) for p in cell.parts]
    separator = _WHITESPACE_RUN.sub(" ", cell.separator).replace("|", "\\|")
    return separator.join(r for r in rendered if r)


def _row(cells: list[str]) -> str:
    # "| a | b |", and an empty cell as "| |" (the original's compaction of "|  |").
    return "|" + "".join(f" {c} |" if c else " |" for c in cells)


def _alignment(table: Table) -> str:
    return "|" + "".join("---:|" if i in table.numeric else ":---|" for i in range(len(table.headers)))


def _plain_table(table: Table, rows, *, from_path: str) -> str:
    lines = [_row([escape_text(h) for h in table.headers]), _alignment(table)]
    lines += [_row([cell_to_markdown(c, from_path=from_path) for c in row]) for row in rows]
    return "\n".join(lines)


def details(summary: str, body: str) -> str:
    """``<details><summary>`` around Markdown, with the blank lines GitHub needs to render it."""
    return f"<details>\n<summary>{escape_html(summary)}</summary>\n\n{body}\n\n</details>"


def table_to_markdown(table: Table, *, from_path: str) -> str:
    """A ``Table`` as the original's pipe table, links relative to the page file ``from_path``.

    Up to ``table.initial`` rows are shown; the rest follow inside ``<details>`` under
    ``table.more_text``. The result has no trailing newline.
    """
    head = _plain_table(table, table.head_rows, from_path=from_path)
    if not table.rest_rows:
        return head
    rest = _plain_table(table, table.rest_rows, from_path=from_path)
    return f"{head}\n\n\n{details(table.more_text, rest)}"
