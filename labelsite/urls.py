from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path, re_path
from django.views.static import serve
from markdownx.views import ImageUploadView, MarkdownifyView


def serve_media(request, path):
    # MEDIA_ROOT is read per request (not bound at import) so tests and settings overrides apply.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("admin/", admin.site.urls),
    # markdownx's live preview and image upload, for staff only (its own URLs let anyone upload).
    path("markdownx/markdownify/", staff_member_required(MarkdownifyView.as_view()), name="markdownx_markdownify"),
    path("markdownx/upload/", staff_member_required(ImageUploadView.as_view()), name="markdownx_upload"),
    path("spotify/", include("catalog.spotify_urls")),
    # Charts and scatter plots live in MEDIA_ROOT; they are small, immutable per data version,
    # and served by the site itself so a single process is enough to run labelsite.
    re_path(r"^media/(?P<path>.*)$", serve_media),
    path("", include("clusters.urls")),
    path("", include("website.urls")),
]
