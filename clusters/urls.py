"""Clusters JSON twins (the clusters issue fills these in)."""

app_name = "clusters"

urlpatterns: list = []
