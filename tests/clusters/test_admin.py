from __future__ import annotations

import pytest

from clusters import services
from clusters.models import ClusterRun
from tests.clusters.library import build_library

pytestmark = pytest.mark.django_db


def test_admins_see_runs_with_their_figures_but_cannot_change_them(admin_client):
    build_library()
    services.recluster_library()
    run = ClusterRun.objects.get()
    listing = admin_client.get("/admin/clusters/clusterrun/")
    assert listing.status_code == 200
    assert str(run.silhouette)[:5] in listing.content.decode()
    detail = admin_client.get(f"/admin/clusters/clusterrun/{run.pk}/change/")
    assert detail.status_code == 200
    assert run.x_axis in detail.content.decode()
    assert b'name="_save"' not in detail.content
    assert admin_client.get("/admin/clusters/clusterrun/add/").status_code == 403
