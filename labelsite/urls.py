from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("markdownx/", include("markdownx.urls")),
    path("spotify/", include("catalog.spotify_urls")),
    # Charts and scatter plots live in MEDIA_ROOT; they are small, immutable per data version,
    # and served by the site itself so a single process is enough to run labelsite.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("clusters.urls")),
    path("", include("website.urls")),
]
