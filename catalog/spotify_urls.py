"""/spotify/: the connection status page, the OAuth connect and callback, "refresh now"."""

from django.urls import path

from catalog import spotify_views

app_name = "spotify"

urlpatterns = [
    path("", spotify_views.status, name="status"),
    path("connect/", spotify_views.connect, name="connect"),
    path("callback/", spotify_views.callback, name="callback"),
    path("refresh/", spotify_views.refresh_now, name="refresh"),
]
