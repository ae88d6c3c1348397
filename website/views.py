"""Page views: selector → table builders → template."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "website/home.html", {"counts": selectors.library_counts()})
