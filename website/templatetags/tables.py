"""Template helpers that turn ``catalog.tables`` cells into escaped HTML.

Cells are rendered in Python rather than with nested template includes: a 2,000-row track table
has 14,000 cells, and ``format_html`` escapes every piece of text, URL and alt text.
"""

from __future__ import annotations

import re
from html import escape as html_escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from catalog.tables import Cell, Part, Table

register = template.Library()

_SPECIAL = re.compile(r"[&<>\"']")


def escape(text: str) -> str:
    """``html.escape`` (quotes too), skipped for the many names that have nothing to escape."""
    return html_escape(text) if _SPECIAL.search(text) else text


def part_html(part: Part) -> str:
    # html.escape (quote=True) rather than format_html: same escaping, a fraction of the cost
    # on a 14,000-cell page.
    if part.image:
        width = int(part.image_width)
        return (
            f'<img src="{escape(part.image)}" alt="{escape(part.text)}" width="{width}" height="{width}" '
            'loading="lazy" decoding="async">'
        )
    if part.page is not None:
        return f'<a href="{escape(part.page.url())}">{escape(part.text)}</a>'
    if part.url:
        return f'<a href="{escape(part.url)}" rel="noopener" title="Open in Spotify">{escape(part.text)}</a>'
    return escape(part.text)


def cell_markup(cell: Cell) -> str:
    """The cell's HTML (every piece escaped), as a plain str for the hot loop of ``table_rows``."""
    parts = cell.parts
    if len(parts) == 1:
        return part_html(parts[0])
    return escape(cell.separator).join(map(part_html, parts))


@register.filter
def cell_html(cell: Cell) -> SafeString:
    return mark_safe(cell_markup(cell))  # noqa: S308 - every piece is escaped by part_html


@register.simple_tag
def table_rows(table: Table, rows: list) -> SafeString:
    """The ``<tr>`` elements of ``rows``; numeric columns get class "num" (aligned right).

    Rendered column by column, each distinct Cell once: builders reuse one Cell for repeated
    values (an album's art, name and labels, an artist list), and a 2,000-row track table is
    14,000 cells, so per-cell work is kept to a dictionary lookup.
    """

    def open_td(i: int) -> str:
        return '<td class="num">' if i in table.numeric else "<td>"

    if any(len(row) != len(rows[0]) for row in rows):  # ragged rows (no builder makes them): row by row
        trs = [
            "<tr>" + "".join(f"{open_td(i)}{cell_markup(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
            for row in rows
        ]
        return mark_safe("\n".join(trs))  # noqa: S308 - every cell is escaped by cell_markup
    tds_by_column = []
    for i, column in enumerate(zip(*rows, strict=True)):
        distinct = {id(cell): cell for cell in column}  # keyed by identity: the cells outlive this call
        html = {key: f"{open_td(i)}{cell_markup(cell)}</td>" for key, cell in distinct.items()}
        tds_by_column.append([html[id(cell)] for cell in column])
    trs = ["<tr>" + "".join(tds) + "</tr>" for tds in zip(*tds_by_column, strict=True)]
    return mark_safe("\n".join(trs))  # noqa: S308 - every cell is escaped by cell_markup


@register.simple_tag
def table_headers(table: Table) -> SafeString:
    return mark_safe(  # noqa: S308 - headers are escaped
        "".join(
            format_html('<th scope="col" class="num">{}</th>', h) if i in table.numeric
            else format_html('<th scope="col">{}</th>', h)
            for i, h in enumerate(table.headers)
        )
    )  # fmt: skip
