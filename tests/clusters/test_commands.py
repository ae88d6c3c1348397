from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Label
from clusters.models import ClusterRun
from tests.clusters.library import build_library

pytestmark = pytest.mark.django_db


def test_recluster_command_clusters_everything_with_a_progress_bar_and_a_summary():
    build_library()
    out, err = StringIO(), StringIO()
    call_command("recluster", "--all", "--workers", "1", stdout=out, stderr=err)
    assert out.getvalue().strip() == "Reclustered: 5 clustered, 0 unchanged, 0 too small, 0 removed, 0 failed."
    assert "5/5" in err.getvalue()
    assert ClusterRun.objects.filter(is_current=True).count() == 5


@pytest.mark.django_db(transaction=True)
def test_recluster_command_shares_the_scopes_among_worker_processes():
    build_library()
    out = StringIO()
    call_command("recluster", "--workers", "2", stdout=out, stderr=StringIO())
    assert "5 clustered" in out.getvalue()
    assert ClusterRun.objects.filter(is_current=True, status=ClusterRun.Status.COMPLETE).count() == 5
    out = StringIO()
    call_command("recluster", "--workers", "2", stdout=out, stderr=StringIO())
    assert "0 clustered, 5 unchanged" in out.getvalue()


def test_recluster_command_for_one_label_by_slug():
    build_library()
    label = Label.objects.get()
    out = StringIO()
    call_command("recluster", "--label", label.slug, stdout=out)
    assert "1 clustered" in out.getvalue()
    assert ClusterRun.objects.get().label == label


def test_recluster_command_names_an_unknown_slug():
    with pytest.raises(CommandError, match="no_such_artist"):
        call_command("recluster", "--artist", "no_such_artist")
