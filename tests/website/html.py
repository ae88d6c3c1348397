"""A small HTML reader for page tests: tables (headers, cells with text and links), links, headings."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ParsedCell:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    images: list[dict] = field(default_factory=list)


@dataclass
class ParsedTable:
    headers: list[str] = field(default_factory=list)
    rows: list[list[ParsedCell]] = field(default_factory=list)

    def column(self, name: str) -> list[ParsedCell]:
        index = self.headers.index(name)
        return [row[index] for row in self.rows]


class PageReader(HTMLParser):
    """Collects every table, link, image and h1/h2 heading of a page, with their plain text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[ParsedTable] = []
        self.links: list[tuple[str, str]] = []
        self.images: list[dict] = []
        self.headings: list[tuple[str, str]] = []
        self._table: ParsedTable | None = None
        self._cell: ParsedCell | None = None
        self._in_th = False
        self._header = ""
        self._link: list | None = None
        self._heading: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = ParsedTable()
        elif tag == "tr" and self._table is not None:
            self._row: list[ParsedCell] = []
        elif tag == "th":
            self._in_th, self._header = True, ""
        elif tag == "td":
            self._cell = ParsedCell()
        elif tag == "a":
            self._link = [attrs.get("href", ""), ""]
        elif tag == "img":
            self.images.append(attrs)
            if self._cell is not None:
                self._cell.images.append(attrs)
        elif tag in ("h1", "h2"):
            self._heading = [tag, ""]

    def handle_endtag(self, tag):
        if tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag == "tr" and self._table is not None and self._row:
            self._table.rows.append(self._row)
            self._row = []
        elif tag == "th" and self._table is not None:
            self._in_th = False
            self._table.headers.append(self._header)
        elif tag == "td" and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1]))
            if self._cell is not None:
                self._cell.links.append((self._link[0], self._link[1]))
            self._link = None
        elif tag in ("h1", "h2") and self._heading is not None:
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None

    def handle_data(self, data):
        if self._in_th:
            self._header += data
        if self._cell is not None:
            self._cell.text += data
        if self._link is not None:
            self._link[1] += data
        if self._heading is not None:
            self._heading[1] += data

    def tables_with(self, headers: tuple[str, ...]) -> list[ParsedTable]:
        return [t for t in self.tables if tuple(t.headers) == headers]

    def h2(self) -> list[str]:
        return [text for tag, text in self.headings if tag == "h2"]
