"""The one place where description Markdown becomes HTML (pages and markdownx's live preview).

Descriptions are written by admins, but an account can be compromised and text may be pasted
from anywhere: the HTML is sanitized with nh3 (Ammonia) so no script, event handler, style or
``javascript:`` link survives.
"""

from __future__ import annotations

import markdown
import nh3

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}}


def render_description(text: str) -> str:
    """Markdown → sanitized HTML; links get rel="noopener noreferrer nofollow"."""
    html = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
