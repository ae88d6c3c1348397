"""JSON twins of the clusters pages (design §5): thin doorways to clusters.selectors."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from catalog.models import Artist, Label, SlugRedirect
from clusters.selectors import current_run_for_artist, current_run_for_label, run_as_json


def _renamed(kind: str, slug: str, url_name: str) -> HttpResponse:
    """A permanent redirect from an old slug to the page's current one, else 404."""
    old = SlugRedirect.objects.filter(kind=kind, old_slug=slug).select_related(kind).first()
    target = getattr(old, kind, None) if old else None
    if target is None:
        raise Http404(f"No {kind} {slug!r}")
    return redirect(reverse(url_name, kwargs={"slug": target.slug}), permanent=True)


def _run_response(run) -> JsonResponse:
    if run is None:
        raise Http404("No clusters for this page")
    return JsonResponse(run_as_json(run), json_dumps_params={"indent": 1})


def label_clusters_json(request: HttpRequest, slug: str) -> HttpResponse:
    label = Label.objects.filter(slug=slug).first()
    if label is None:
        return _renamed("label", slug, "clusters:label-clusters-json")
    return _run_response(current_run_for_label(label))


def artist_clusters_json(request: HttpRequest, slug: str) -> HttpResponse:
    artist = Artist.objects.filter(slug=slug).first()
    if artist is None:
        return _renamed("artist", slug, "clusters:artist-clusters-json")
    return _run_response(current_run_for_artist(artist))
