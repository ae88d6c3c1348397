"""A curator in a real browser: log in, filter liked tracks, unlike one, see the label page change."""

from __future__ import annotations

import pytest

from catalog.models import CurationChange, Label, Track
from catalog.services import LibraryData, library_upsert
from tests.factories import album_obj, saved, track_obj

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a curator's password"


def darkroom_library() -> None:
    """Twelve Darkroom tracks (a label page), the odd ones liked on Spotify; one other label."""
    album = album_obj("Ocean Eyes", artists=["Billie Eilish"], label="Darkroom")
    other = album_obj("Migration", artists=["Bonobo"], label="Ninja Tune")
    tracks = [track_obj(f"Song {i:02d}", album=album, artists=["Billie Eilish"], track_number=i) for i in range(12)]
    kerala = track_obj("Kerala", album=other, artists=["Bonobo"])
    library_upsert(
        data=LibraryData(
            saved_tracks=[saved(t) for t in tracks[1::2]] + [saved(kerala)],
            tracks=tracks[0::2],
            albums=[album, other],
        )
    )


def label_row(page, track: str):
    return page.locator("table.data tr", has_text=track)


def test_a_curator_unlikes_a_track_in_the_admin_and_the_label_page_shows_it(page, live_server, django_user_model):
    darkroom_library()
    django_user_model.objects.create_user("curator", password=PASSWORD, is_staff=True, is_superuser=True)

    page.goto(f"{live_server.url}/labels/darkroom/")
    assert "💚" in label_row(page, "Song 03").inner_text()

    page.goto(f"{live_server.url}/admin/catalog/track/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/catalog/track/")

    page.locator("#changelist-filter").get_by_role("link", name="Yes", exact=True).click()
    page.wait_for_url("**is_liked__exact=1**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 7  # six Darkroom songs and Kerala
    assert not page.locator("#result_list", has_text="Song 02").is_visible()

    rows.filter(has_text="Song 03").get_by_role("button", name="Unlike").click()
    page.wait_for_url("**is_liked__exact=1**")
    assert "Song 03: not liked" in page.locator(".messagelist").inner_text()
    assert page.locator("#result_list tbody tr").count() == 6
    assert page.locator("#result_list tbody tr", has_text="Song 03").count() == 0

    song = Track.objects.get(name="Song 03")
    assert (song.liked_on_spotify, song.liked_override, song.is_liked) == (True, False, False)
    assert CurationChange.objects.get(track=song).user.username == "curator"

    page.goto(f"{live_server.url}/labels/darkroom/")
    assert "💚" not in label_row(page, "Song 03").inner_text()
    assert "💚" in label_row(page, "Song 05").inner_text()


def test_the_description_editor_previews_sanitized_markdown_as_you_type(page, live_server, django_user_model):
    darkroom_library()
    django_user_model.objects.create_user("curator", password=PASSWORD, is_staff=True, is_superuser=True)
    label = Label.objects.get(slug="darkroom")
    page.goto(f"{live_server.url}/admin/catalog/label/{label.pk}/change/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**/admin/catalog/label/{label.pk}/change/")

    page.fill("textarea#id_description", "**Bold** move <script>window.pwned = 1</script> [x](javascript:alert(1))")
    page.locator(".markdownx-preview strong").wait_for(timeout=10_000)

    preview = page.locator(".markdownx-preview").inner_html()
    assert "<strong>Bold</strong>" in preview
    assert "<script" not in preview and "javascript:" not in preview
    assert page.evaluate("window.pwned") is None
