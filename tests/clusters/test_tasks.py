from __future__ import annotations

import pytest

from catalog.models import Artist, Label
from clusters import tasks
from clusters.models import ClusterRun
from tests.clusters.library import build_library


@pytest.mark.django_db
def test_recluster_all_fans_out_one_task_per_scope():
    build_library()
    summary = tasks.recluster_all.delay().get()
    assert summary == {"scopes": 5, "removed": 0}
    assert ClusterRun.objects.filter(is_current=True).count() == 5


def test_recluster_changed_runs_on_a_real_worker(celery_worker):
    build_library()
    label = Label.objects.get()
    artist = Artist.objects.get(name="classical artist")
    # Sent by name, as the refresh does, so the contract is the task's registered name.
    from labelsite.celery import app

    result = app.send_task("clusters.tasks.recluster_changed", args=[[label.pk], [artist.pk]])
    assert result.get(timeout=120) == {"clustered": 3, "unchanged": 0, "too_small": 0, "removed": 0, "failed": 0}
    runs = ClusterRun.objects.filter(is_current=True)
    assert set(runs.values_list("scope", flat=True)) == {"label", "artist", "library"}
    assert all(run.scatter_path.exists() for run in runs)
