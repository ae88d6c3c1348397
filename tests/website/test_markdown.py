"""Markdown helpers of the export, checked with GitHub's own renderer (cmark-gfm)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from catalog.tables import Cell, Page, Part, Table
from website.markdown import escape_text, image_tag, relative_path, table_to_markdown

GFM_EXTENSIONS = ["table", "autolink", "strikethrough", "tagfilter"]

HOSTILE_NAMES = [
    "a | b",
    "*stars* and _underscores_ and __strong__",
    "[x](https://evil.example/)",
    "![img](https://evil.example/x.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "back\\slash \\| and \\*",
    "first line\nsecond line\r\nthird",
    "~~struck~~ and ~single~",
    "www.example.com",
    "http://example.com/x and https://x.io",
    "mail me: someone@example.com",
    "&amp; &#60; &copy; Tom & Jerry",
    "# heading",
    "- list item",
    "+ plus",
    "1. numbered",
    "12) numbered",
    "> quote",
    "`code` and ``more``",
    "$E = mc^2$",
    ":smile: :+1:",
    "=",
    "---",
    "악동뮤지션 / 悪ノ娘 / עברית",
    "trailing #",
    "#1 hits in C# ## ###",
    "##",
]


def render_gfm(markdown: str) -> str:
    """HTML as GitHub renders Markdown (raw HTML kept, as GitHub keeps it before sanitizing)."""
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=Options.CMARK_OPT_UNSAFE, extensions=GFM_EXTENSIONS
    )


class HtmlOutline(HTMLParser):
    """Tags, links and the text of each table row's cells from rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.images: list[str] = []
        self.rows: list[list[str]] = []
        self.paragraphs: list[str] = []
        self._cell: list[str] | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs.get("href", ""))
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag in ("p", "li", "h1", "h2", "h3"):
            self._text = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        if tag in ("p", "li", "h1", "h2", "h3") and self._text is not None:
            self.paragraphs.append("".join(self._text))
            self._text = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._text is not None:
            self._text.append(data)


def outline(markdown: str) -> HtmlOutline:
    parser = HtmlOutline()
    parser.feed(render_gfm(markdown))
    return parser


def visible(text: str) -> str:
    """What a reader sees of a name: whitespace runs (newlines included) shown as one space."""
    return " ".join(text.split())


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_name_renders_literally_in_a_table_cell(name):
    table = Table(headers=["Name", "Tracks"], rows=[(Cell.text(name), Cell.text(3))])

    parsed = outline(table_to_markdown(table, from_path="README.md"))

    assert parsed.rows == [["Name", "Tracks"], [visible(name), "3"]]
    for tag in ("a", "em", "strong", "del", "script", "code", "img", "h1", "li", "blockquote"):
        assert tag not in parsed.tags


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_name_renders_literally_as_heading_and_list_item(name):
    markdown = f"# {escape_text(name)}\n\nAppears as:\n- {escape_text(name)} (2 tracks)\n"

    parsed = outline(markdown)

    assert parsed.paragraphs == [visible(name), "Appears as:", f"{visible(name)} (2 tracks)"]
    assert parsed.tags.count("li") == 1
    for tag in ("a", "em", "strong", "del", "script", "code", "img", "blockquote", "h2", "hr"):
        assert tag not in parsed.tags


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_link_text_links_once_to_its_page(name):
    table = Table(headers=["Label"], rows=[(Cell.link(name, page=Page("label", "some_label")),)])

    parsed = outline(table_to_markdown(table, from_path="artists/x/overview.md"))

    assert parsed.hrefs == ["../../labels/some_label/overview.md"]
    assert parsed.rows[1] == [visible(name)]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_alt_text_and_image_url_stay_inside_the_img_tag(name):
    table = Table(
        headers=["Art", "Name"],
        rows=[(Cell.image(f"https://i.example/{name}", alt=name), Cell.text("x"))],
    )

    parsed = outline(table_to_markdown(table, from_path="README.md"))

    assert len(parsed.rows[1]) == 2
    assert parsed.tags.count("img") == 1
    assert "script" not in parsed.tags
    assert parsed.images[0].startswith("https://i.example/")


def test_table_has_compact_pipes_and_an_alignment_row():
    table = Table(
        headers=["Tracks", "💚", "Label"],
        rows=[(Cell.text(12), Cell.text(""), Cell.link("ADOR", page=Page("label", "ador")))],
        numeric=frozenset({0, 1}),
    )

    markdown = table_to_markdown(table, from_path="README.md")

    assert markdown.splitlines() == [
        "| Tracks | 💚 | Label |",
        "|---:|---:|:---|",
        "| 12 | | [ADOR](labels/ador/overview.md) |",
    ]


def test_rows_after_the_tenth_go_inside_details_with_the_same_header():
    rows = [(Cell.text(f"track {i}"),) for i in range(13)]
    table = Table(headers=["Track"], rows=rows, more_text="See all <tracks>")

    markdown = table_to_markdown(table, from_path="README.md")

    head, rest = markdown.split("\n\n\n<details>\n")
    assert head.splitlines()[2:] == [f"| track {i} |" for i in range(10)]
    assert rest.startswith("<summary>See all &lt;tracks&gt;</summary>\n\n| Track |\n|:---|\n| track 10 |")
    assert rest.endswith("| track 12 |\n\n</details>")
    parsed = outline(markdown)
    assert [row for row in parsed.rows if row != ["Track"]] == [[f"track {i}"] for i in range(13)]
    assert "details" in parsed.tags and "summary" in parsed.tags


def test_exactly_ten_rows_need_no_details():
    table = Table(headers=["Track"], rows=[(Cell.text(i),) for i in range(10)])

    assert "<details>" not in table_to_markdown(table, from_path="README.md")


def test_cell_with_several_links_joins_them_with_commas():
    cell = Cell((Part("A", page=Page("artist", "a")), Part("B|C"), Part("D", page=Page("artist", "d"))))
    table = Table(headers=["Artists"], rows=[(cell,)])

    parsed = outline(table_to_markdown(table, from_path="labels/x/clusters/overview.md"))

    assert parsed.rows[1] == ["A, B|C, D"]
    assert parsed.hrefs == ["../../../artists/a/overview.md", "../../../artists/d/overview.md"]


def test_slugs_with_parentheses_and_other_scripts_link_to_their_file():
    table = Table(
        headers=["Label"],
        rows=[
            (Cell.link("DG", page=Page("label", "deutsche_grammophon_(dg)")),),
            (Cell.link("odd", page=Page("label", "odd_(slug")),),
            (Cell.link("악동뮤지션", page=Page("artist", "악동뮤지션")),),
        ],
    )

    markdown = table_to_markdown(table, from_path="README.md")
    hrefs = outline(markdown).hrefs

    assert "[DG](labels/deutsche_grammophon_(dg)/overview.md)" in markdown
    from urllib.parse import unquote

    assert [unquote(h) for h in hrefs] == [
        "labels/deutsche_grammophon_(dg)/overview.md",
        "labels/odd_(slug/overview.md",
        "artists/악동뮤지션/overview.md",
    ]


def test_external_link_with_a_non_web_scheme_is_plain_text():
    table = Table(headers=["🔗"], rows=[(Cell.link("x", url="javascript:alert(1)"),)])

    parsed = outline(table_to_markdown(table, from_path="README.md"))

    assert parsed.hrefs == []
    assert parsed.rows[1] == ["x"]


def test_relative_path_between_pages_of_the_export():
    assert relative_path("artists/b/overview.md", from_path="labels/a/overview.md") == "../../artists/b/overview.md"
    assert relative_path("labels/a/overview.md", from_path="README.md") == "labels/a/overview.md"
    assert relative_path("labels/a/overview.md", from_path="labels/a/clusters/overview.md") == "../overview.md"


def test_image_tag_escapes_attribute_text():
    tag = image_tag('https://x.example/a"b', alt='say "hi" & <bye>', width=100)

    assert tag == '<img src="https://x.example/a%22b" alt="say &quot;hi&quot; &amp; &lt;bye&gt;" width="100" />'
    assert html.unescape("&quot;") == '"'
