"""The JSON twins of the clusters pages; the HTML pages are in website.urls."""

from django.urls import path

from clusters import views

app_name = "clusters"

urlpatterns = [
    path("labels/<str:slug>/clusters.json", views.label_clusters_json, name="label-clusters-json"),
    path("artists/<str:slug>/clusters.json", views.artist_clusters_json, name="artist-clusters-json"),
]
