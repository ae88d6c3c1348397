"""Page views: find the label or artist (or redirect an old slug), build the content, render.

The content builders (``website.content``) are shared with the Markdown export; these views only
add what is HTTP: 404s, 301s for old slugs, the index search (``?q=``) and the description's HTML.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from catalog import selectors
from catalog.cache import catalog_version
from catalog.markdown import render_description
from catalog.models import Artist, Label, SlugRedirect
from website import content as pages

# Rendered pages are cached under the catalog version (every catalog and clusters write bumps it),
# so a 2,000-track label page is built once per data change, then served from the cache.
PAGE_CACHE_SECONDS = getattr(settings, "PAGE_CACHE_SECONDS", 600)


def _page_key(key: str, version: int) -> str:
    return f"website:page:{key}:{version}"


def _cached(
    request: HttpRequest,
    key: str,
    build: Callable[[], pages.PageContent | None],
    nav: str,
    *,
    version: int | None = None,
) -> HttpResponse:
    """The page's HTML from the cache, or built, rendered and cached (404s are not cached).

    Cached as the encoded bytes: a hit is then no str decoding or re-encoding of ~1 MB of HTML.
    """
    full_key = _page_key(key, catalog_version() if version is None else version)
    body = cache.get(full_key)
    if body is None:
        body = _render(request, build(), nav=nav).content
        cache.set(full_key, body, PAGE_CACHE_SECONDS)
    return HttpResponse(body)


def _render(request: HttpRequest, page: pages.PageContent | None, *, nav: str = "") -> HttpResponse:
    if page is None:
        raise Http404("No such page.")
    return render(
        request,
        "website/page.html",
        {
            "content": page,
            # Sanitized by nh3 in render_description: safe to insert as HTML.
            "description_html": mark_safe(render_description(page.description)) if page.description else "",  # noqa: S308
            "site_title": settings.SITE_TITLE,
            "nav": nav,
            "query": request.GET.get("q", ""),
        },
    )


def _find(kind: str, slug: str, with_pages, view_name: str) -> Label | Artist | HttpResponse:
    """The label/artist with a page at ``slug``; a 301 to its current slug for an old one; else 404."""
    obj = with_pages().filter(slug=slug).first()
    if obj is not None:
        return obj
    redirect = SlugRedirect.objects.filter(kind=kind, old_slug=slug).select_related(kind).first()
    target = getattr(redirect, kind, None) if redirect else None
    if target is not None and target.slug != slug and with_pages().filter(pk=target.pk).exists():
        return HttpResponsePermanentRedirect(reverse(view_name, args=[target.slug]))
    raise Http404(f"No {kind} page at {slug!r}.")


def _detail_key(view_name: str, pk: int, slug: str, updated_at) -> str:
    # updated_at: an admin's edit of the description or name shows at once.
    return f"{view_name}:{pk}:{slug}:{updated_at.timestamp()}"


def _detail(kind: str, builder: Callable, view_name: str, nav: str):
    model = {"label": Label, "artist": Artist}[kind]
    with_pages = {"label": selectors.labels_with_pages, "artist": selectors.artists_with_pages}[kind]

    def view(request: HttpRequest, slug: str) -> HttpResponse:
        version = catalog_version()
        # A cached page first, found by a primary-key-cheap lookup: whether a page exists changes
        # only with catalog or clusters writes, which bump the version in the key, so a hit needs
        # no page check (_find's track counts cost more than serving the cached page).
        current = model.objects.filter(slug=slug).values_list("pk", "updated_at").first()
        if current is not None:
            body = cache.get(_page_key(_detail_key(view_name, current[0], slug, current[1]), version))
            if body is not None:
                return HttpResponse(body)
        found = _find(kind, slug, with_pages, view_name)
        if isinstance(found, HttpResponse):
            return found
        key = _detail_key(view_name, found.pk, found.slug, found.updated_at)
        return _cached(request, key, lambda: builder(found), nav, version=version)

    view.__name__ = view_name.split(":")[-1].replace("-", "_")
    return view


def home(request: HttpRequest) -> HttpResponse:
    return _cached(request, "home", pages.home_content, "")


def _filtered(page: pages.PageContent, query: str) -> pages.PageContent:
    """Keep the index rows whose text contains ``query`` (case-insensitive); the JS filter does the same."""
    needle = query.strip().casefold()
    if not needle:
        return page
    for section in page.sections:
        if section.table is not None:
            section.table.rows = [
                row for row in section.table.rows if any(needle in cell.plain.casefold() for cell in row)
            ]
    return page


def labels_index(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("q"):
        return _cached(request, "labels", pages.labels_index_content, "labels")
    return _render(request, _filtered(pages.labels_index_content(), request.GET.get("q", "")), nav="labels")


def artists_index(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("q"):
        return _cached(request, "artists", pages.artists_index_content, "artists")
    return _render(request, _filtered(pages.artists_index_content(), request.GET.get("q", "")), nav="artists")


label_detail = _detail("label", pages.label_content, "website:label-detail", "labels")
label_clusters = _detail("label", pages.label_clusters_content, "website:label-clusters", "labels")
artist_detail = _detail("artist", pages.artist_content, "website:artist-detail", "artists")
artist_clusters = _detail("artist", pages.artist_clusters_content, "website:artist-clusters", "artists")
