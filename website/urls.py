from django.urls import path

from website import views

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("labels/", views.labels_index, name="labels"),
    path("labels/<str:slug>/", views.label_detail, name="label-detail"),
    path("labels/<str:slug>/clusters/", views.label_clusters, name="label-clusters"),
    path("artists/", views.artists_index, name="artists"),
    path("artists/<str:slug>/", views.artist_detail, name="artist-detail"),
    path("artists/<str:slug>/clusters/", views.artist_clusters, name="artist-clusters"),
]
