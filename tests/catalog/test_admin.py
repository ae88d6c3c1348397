"""The curation admin through its own forms and buttons, as a curator uses it."""

from __future__ import annotations

import time

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from catalog.curation import album_labels_set
from catalog.models import (
    Album,
    AlbumLabel,
    Artist,
    CurationChange,
    Label,
    LabelSource,
    RefreshRun,
    SlugRedirect,
    SpotifyConnection,
    Track,
)
from catalog.services import LibraryData, library_upsert
from tests.catalog.curation_data import api_url, library, spotify_library_server
from tests.factories import album_obj, features_obj, saved, track_obj

pytestmark = pytest.mark.django_db

TRACKS = reverse("admin:catalog_track_changelist")
LABELS = reverse("admin:catalog_label_changelist")


@pytest.fixture
def lib():
    library_upsert(data=library(unsaved=("Kerala",)))


def tracks(name: str) -> Track:
    return Track.objects.get(name=name)


def listed_names(response) -> list[str]:
    return sorted(response.context["cl"].result_list.values_list("name", flat=True))


def run_action(client: Client, url: str, action: str, pks, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **extra}
    return client.post(url, data)


# --- The track list -----------------------------------------------------------------------------


def test_track_list_shows_art_artists_labels_the_heart_and_where_it_comes_from(admin_client, lib):
    html = admin_client.get(TRACKS).content.decode()

    assert 'src="https://i.scdn.co/image/' in html
    assert "Billie Eilish, Khalid" in html
    assert "Darkroom, Interscope Records" in html
    assert html.count("💚") >= 3
    assert ">Spotify<" in html


def test_filters_find_liked_overridden_per_label_and_with_audio_features(admin_client, lib):
    library_upsert(data=LibraryData(audio_features=[features_obj({"id": tracks("lovely").spotify_id})]))
    run_action(admin_client, TRACKS, "mark_not_liked", [tracks("bellyache").pk])

    assert listed_names(admin_client.get(TRACKS, {"is_liked__exact": "1"})) == ["lovely", "ocean eyes"]
    assert listed_names(admin_client.get(TRACKS, {"is_liked__exact": "0"})) == ["Kerala", "bellyache"]
    assert listed_names(admin_client.get(TRACKS, {"override": "any"})) == ["bellyache"]
    assert listed_names(admin_client.get(TRACKS, {"override": "none"})) == ["Kerala", "lovely", "ocean eyes"]
    assert listed_names(admin_client.get(TRACKS, {"label": "interscope_records"})) == ["bellyache", "ocean eyes"]
    assert listed_names(admin_client.get(TRACKS, {"features": "yes"})) == ["lovely"]
    assert "From" in admin_client.get(TRACKS, {"override": "any"}).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Khalid", ["lovely"]),
        ("Migration", ["Kerala"]),
        ("Interscope", ["bellyache", "ocean eyes"]),
        ("bell", ["bellyache"]),
    ],
)
def test_search_finds_tracks_by_track_artist_album_and_label(admin_client, lib, query, expected):
    assert listed_names(admin_client.get(TRACKS, {"q": query})) == expected


def test_bulk_actions_set_and_clear_overrides_and_record_who_did_it(admin_client, admin_user, lib):
    pks = [tracks("ocean eyes").pk, tracks("Kerala").pk]

    response = run_action(admin_client, TRACKS, "mark_not_liked", pks)
    assert response.status_code == 302
    assert not tracks("ocean eyes").is_liked
    run_action(admin_client, TRACKS, "mark_liked", pks)
    assert tracks("Kerala").is_liked
    run_action(admin_client, TRACKS, "clear_override", pks)
    assert (tracks("ocean eyes").is_liked, tracks("Kerala").is_liked) == (True, False)

    trail = list(
        CurationChange.objects.filter(track__name="Kerala").order_by("id").values_list("user", "old_value", "new_value")
    )
    assert trail == [
        (admin_user.pk, "follow Spotify", "not liked"),
        (admin_user.pk, "not liked", "liked"),
        (admin_user.pk, "liked", "follow Spotify"),
    ]


def test_an_action_on_all_of_a_filtered_list_changes_only_what_the_filter_shows(admin_client, lib):
    response = admin_client.post(
        TRACKS + "?label=darkroom",
        {"action": "mark_not_liked", "select_across": "1", ACTION_CHECKBOX_NAME: [str(tracks("lovely").pk)]},
    )

    assert response.status_code == 302
    assert sorted(Track.objects.filter(liked_override=False).values_list("name", flat=True)) == [
        "bellyache",
        "lovely",
        "ocean eyes",
    ]
    assert tracks("Kerala").liked_override is None


def test_the_toggle_button_flips_one_track_and_returns_to_the_filtered_list(admin_client, lib):
    toggle = reverse("admin:catalog_track_toggle_like", args=[tracks("lovely").pk])
    listing = admin_client.get(TRACKS, {"is_liked__exact": "1"}).content.decode()
    assert f'formaction="{toggle}"' in listing

    back = "http://testserver" + TRACKS + "?is_liked__exact=1"
    response = admin_client.post(toggle, HTTP_REFERER=back)

    assert response.status_code == 302 and response["Location"] == back
    assert not tracks("lovely").is_liked
    assert CurationChange.objects.get(track__name="lovely").new_value == "not liked"


def test_the_toggle_does_not_follow_a_referer_to_another_site(admin_client, lib):
    toggle = reverse("admin:catalog_track_toggle_like", args=[tracks("lovely").pk])
    response = admin_client.post(toggle, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == TRACKS


def test_the_toggle_needs_post_csrf_and_a_staff_login(admin_user, lib):
    toggle = reverse("admin:catalog_track_toggle_like", args=[tracks("lovely").pk])
    anonymous = Client()
    assert anonymous.post(toggle).status_code == 302  # to the login page
    assert "/admin/login/" in anonymous.post(toggle)["Location"]

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    assert browser.post(toggle).status_code == 403  # no CSRF token
    assert browser.get(toggle).status_code == 405
    assert tracks("lovely").is_liked

    visitor = get_user_model().objects.create_user("visitor", password="x")
    plain = Client()
    plain.force_login(visitor)
    assert plain.post(toggle).status_code == 302
    assert tracks("lovely").is_liked and not CurationChange.objects.exists()


def test_staff_without_the_change_permission_cannot_curate(lib):
    viewer = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    client = Client()
    client.force_login(viewer)
    toggle = reverse("admin:catalog_track_toggle_like", args=[tracks("lovely").pk])
    assert client.post(toggle).status_code == 403
    assert tracks("lovely").is_liked


def test_the_track_change_form_sets_the_override_with_an_audit_row_and_shows_the_history(admin_client, admin_user, lib):
    lovely = tracks("lovely")
    url = reverse("admin:catalog_track_change", args=[lovely.pk])

    response = admin_client.post(url, {"liked_override": "false", **empty_inline("artist_credits")})

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert not tracks("lovely").is_liked
    page = admin_client.get(url).content.decode()
    assert "Curation history" in page and "follow Spotify" in page and "not liked" in page
    assert admin_user.username in page


def empty_inline(prefix: str, total: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(total),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_the_curation_trail_is_visible_and_read_only(admin_client, lib):
    run_action(admin_client, TRACKS, "mark_not_liked", [tracks("Kerala").pk])
    change = CurationChange.objects.get()

    listing = admin_client.get(reverse("admin:catalog_curationchange_changelist")).content.decode()
    assert "Kerala" in listing and "not liked" in listing
    detail = admin_client.get(reverse("admin:catalog_curationchange_change", args=[change.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client.post(reverse("admin:catalog_curationchange_delete", args=[change.pk])).status_code == 403


def test_hostile_names_show_literally_in_the_track_list(admin_client):
    album = album_obj("<script>alert(1)</script>", artists=["A | B"], label="*x* [y](z)")
    library_upsert(
        data=LibraryData(saved_tracks=[saved(track_obj("<b>bold</b>", album=album, artists=["A | B"]))], albums=[album])
    )
    html = admin_client.get(TRACKS).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html
    assert "*x* [y](z)" in html


# --- Labels -------------------------------------------------------------------------------------


def label_form(label: Label, **changes) -> dict:
    data = {
        "name": label.name,
        "slug": label.slug,
        "description": label.description,
        **empty_inline("aliases"),
        **changes,
    }
    if label.name_locked:
        data.setdefault("name_locked", "on")
    return data


def test_renaming_a_label_in_the_admin_keeps_the_slug_and_locks_the_name(admin_client, lib):
    darkroom = Label.objects.get(slug="darkroom")
    url = reverse("admin:catalog_label_change", args=[darkroom.pk])

    response = admin_client.post(url, label_form(darkroom, name="Darkroom Records", description="A *label*."))

    assert response.status_code == 302
    darkroom.refresh_from_db()
    assert (darkroom.name, darkroom.slug, darkroom.name_locked, darkroom.description) == (
        "Darkroom Records",
        "darkroom",
        True,
        "A *label*.",
    )
    assert CurationChange.objects.get(field="label_name").old_value == "Darkroom"


def test_changing_a_slug_in_the_admin_makes_the_old_url_redirect(admin_client, lib, settings):
    settings.LABEL_PAGE_MIN_TRACKS = 1
    darkroom = Label.objects.get(slug="darkroom")
    url = reverse("admin:catalog_label_change", args=[darkroom.pk])

    assert admin_client.post(url, label_form(darkroom, slug="darkroom_records")).status_code == 302

    assert Label.objects.get(pk=darkroom.pk).slug == "darkroom_records"
    response = Client().get("/labels/darkroom/")
    assert response.status_code == 301 and response["Location"] == "/labels/darkroom_records/"


def test_an_unsafe_or_taken_slug_is_a_form_error_and_changes_nothing(admin_client, lib):
    darkroom = Label.objects.get(slug="darkroom")
    url = reverse("admin:catalog_label_change", args=[darkroom.pk])

    for slug in ("Dark Room", "ninja_tune"):
        response = admin_client.post(url, label_form(darkroom, slug=slug))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["slug"]

    assert Label.objects.get(pk=darkroom.pk).slug == "darkroom" and not SlugRedirect.objects.exists()


def test_merging_labels_asks_for_the_target_then_merges_and_redirects(admin_client, lib, settings):
    settings.LABEL_PAGE_MIN_TRACKS = 1
    darkroom, interscope = Label.objects.get(slug="darkroom"), Label.objects.get(slug="interscope_records")

    confirm = run_action(admin_client, LABELS, "merge_labels", [darkroom.pk, interscope.pk])
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Merge labels" in page and "Interscope Records" in page and "/labels/darkroom/" in page

    done = run_action(admin_client, LABELS, "merge_labels", [darkroom.pk, interscope.pk], target=darkroom.pk, apply="1")

    assert done.status_code == 302
    assert list(Label.objects.values_list("slug", flat=True).order_by("slug")) == ["darkroom", "ninja_tune"]
    assert sorted(Album.objects.get(name="Ocean Eyes").labels.values_list("slug", flat=True)) == ["darkroom"]
    response = Client().get("/labels/interscope_records/")
    assert response.status_code == 301 and response["Location"] == "/labels/darkroom/"


def test_merging_needs_two_labels(admin_client, lib):
    response = run_action(admin_client, LABELS, "merge_labels", [Label.objects.get(slug="darkroom").pk])
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == ["Select at least two labels to merge."]
    assert Label.objects.count() == 3


def test_album_labels_set_in_the_album_admin_are_admin_links_kept_by_refreshes(admin_client, lib):
    album = Album.objects.get(name="Ocean Eyes")
    links = list(album.label_links.order_by("position"))
    ninja = Label.objects.get(slug="ninja_tune")
    data = {
        **empty_inline("artist_credits", album.artist_credits.count()),
        **empty_inline("label_links", len(links)),
        "label_links-TOTAL_FORMS": str(len(links) + 1),
    }
    for i, credit in enumerate(album.artist_credits.all()):
        data[f"artist_credits-{i}-id"] = str(credit.pk)
        data[f"artist_credits-{i}-album"] = str(album.pk)
    for i, link in enumerate(links):  # keep Darkroom, drop Interscope, add Ninja Tune
        data |= {f"label_links-{i}-id": str(link.pk), f"label_links-{i}-album": str(album.pk)}
        data |= {f"label_links-{i}-position": str(i), f"label_links-{i}-label": str(link.label_id)}
    data["label_links-1-DELETE"] = "on"
    n = len(links)
    data |= {f"label_links-{n}-position": "5", f"label_links-{n}-label": str(ninja.pk), f"label_links-{n}-album": ""}

    response = admin_client.post(reverse("admin:catalog_album_change", args=[album.pk]), data)

    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][1].formset
    ]
    library_upsert(data=library())
    assert list(album.label_links.order_by("position").values_list("label__slug", "source")) == [
        ("darkroom", LabelSource.ADMIN),
        ("ninja_tune", LabelSource.ADMIN),
    ]
    assert CurationChange.objects.get(field="album_labels").new_value == "Darkroom, Ninja Tune"


def test_saving_an_album_without_touching_its_labels_keeps_them_automatic(admin_client, lib):
    album = Album.objects.get(name="lovely")
    link = album.label_links.get()
    data = {**empty_inline("artist_credits", album.artist_credits.count()), **empty_inline("label_links", 1)}
    for i, credit in enumerate(album.artist_credits.all()):
        data[f"artist_credits-{i}-id"] = str(credit.pk)
        data[f"artist_credits-{i}-album"] = str(album.pk)
    data |= {"label_links-0-id": str(link.pk), "label_links-0-album": str(album.pk)}
    data |= {"label_links-0-position": "0", "label_links-0-label": str(link.label_id)}

    assert admin_client.post(reverse("admin:catalog_album_change", args=[album.pk]), data).status_code == 302
    assert AlbumLabel.objects.get(pk=link.pk).source == LabelSource.SPOTIFY


# --- Descriptions, reclustering, refresh ---------------------------------------------------------


def test_the_description_preview_renders_sanitized_html_for_staff_only(admin_user):
    markdown = "**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    anonymous = Client()
    assert anonymous.post("/markdownx/markdownify/", {"content": markdown}).status_code == 302

    staff = Client(enforce_csrf_checks=True)
    staff.force_login(admin_user)
    assert staff.post("/markdownx/markdownify/", {"content": markdown}).status_code == 403  # CSRF
    staff.get(reverse("admin:catalog_label_add"))
    token = staff.cookies["csrftoken"].value
    html = staff.post("/markdownx/markdownify/", {"content": markdown}, HTTP_X_CSRFTOKEN=token).content.decode()

    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_label_and_artist_edit_pages_use_the_markdown_editor_with_preview(admin_client, lib):
    label = Label.objects.first()
    artist = Artist.objects.first()
    for url in (
        reverse("admin:catalog_label_change", args=[label.pk]),
        reverse("admin:catalog_artist_change", args=[artist.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert "markdownx-editor" in page and "markdownx-preview" in page


def test_anonymous_visitors_cannot_upload_images(client):
    response = client.post("/markdownx/upload/", {})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_recluster_actions_and_button_enqueue_after_commit(admin_client, lib, django_capture_on_commit_callbacks):
    from celery.signals import task_prerun

    seen = []

    def record(sender=None, args=None, **_):
        seen.append((sender.name, tuple(args or ())))

    task_prerun.connect(record, weak=False)
    try:
        darkroom = Label.objects.get(slug="darkroom")
        bonobo = Artist.objects.get(name="Bonobo")
        with django_capture_on_commit_callbacks(execute=True):
            run_action(admin_client, LABELS, "recluster_selected", [darkroom.pk])
            run_action(admin_client, reverse("admin:catalog_artist_changelist"), "recluster_selected", [bonobo.pk])
            admin_client.post(reverse("admin:catalog_track_recluster_all"))
    finally:
        task_prerun.disconnect(record)

    assert ("clusters.tasks.recluster_label", (darkroom.pk, True)) in seen
    assert ("clusters.tasks.recluster_artist", (bonobo.pk, True)) in seen
    assert ("clusters.tasks.recluster_all", ()) in seen


def test_the_track_list_has_refresh_and_recluster_buttons_that_post(admin_client, lib):
    html = admin_client.get(TRACKS).content.decode()
    assert f'action="{reverse("spotify:refresh")}"' in html
    assert f'action="{reverse("admin:catalog_track_recluster_all")}"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 3


# --- Pushing to Spotify -------------------------------------------------------------------------


def test_the_push_action_is_offered_only_when_enabled(admin_client, lib, settings):
    settings.SPOTIFY_PUSH_CURATIONS = False
    assert "push_to_spotify" not in admin_client.get(TRACKS).content.decode()
    settings.SPOTIFY_PUSH_CURATIONS = True
    assert "push_to_spotify" in admin_client.get(TRACKS).content.decode()


def test_the_push_action_uses_the_connected_account_and_reports_each_failure(admin_client, lib, settings):
    settings.SPOTIFY_PUSH_CURATIONS = True
    settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET = "client-id", "client-secret"
    SpotifyConnection.objects.create(
        token_info={
            "access_token": "test-token",
            "refresh_token": "refresh",
            "token_type": "Bearer",
            "expires_in": 3600,
            "expires_at": int(time.time()) + 3600,
            "scope": "user-library-modify user-library-read",
        }
    )
    run_action(admin_client, TRACKS, "mark_liked", [tracks("Kerala").pk])
    run_action(admin_client, TRACKS, "mark_not_liked", [tracks("lovely").pk])
    with spotify_library_server() as server:
        settings.SPOTIFY_API_URL = api_url(server)
        server.refuse = {f"spotify:track:{tracks('lovely').spotify_id}"}

        response = run_action(admin_client, TRACKS, "push_to_spotify", Track.objects.values_list("pk", flat=True))

    assert sorted(method for method, _ in server.calls) == ["DELETE", "PUT"]
    shown = [str(m) for m in response.wsgi_request._messages]
    assert "Spotify: 1 saved to Spotify, 0 removed from Spotify, 2 without an override skipped, 1 failed." in shown
    assert any(m.startswith("Not pushed: lovely (HTTP 403") for m in shown)


def test_the_push_action_explains_a_missing_connection(admin_client, lib, settings):
    settings.SPOTIFY_PUSH_CURATIONS = True
    run_action(admin_client, TRACKS, "mark_liked", [tracks("Kerala").pk])
    response = run_action(admin_client, TRACKS, "push_to_spotify", [tracks("Kerala").pk])
    shown = [str(m) for m in response.wsgi_request._messages]
    assert shown[-1] == "Nothing pushed: Spotify: Spotify is not connected: connect it at /spotify/connect/"


def test_a_label_added_by_hand_gets_a_key_and_slug_and_can_be_given_to_an_album(admin_client, lib):
    add = reverse("admin:catalog_label_add")

    taken = admin_client.post(add, {"name": "Darkroom Records", "slug": "", **empty_inline("aliases")})
    assert taken.status_code == 200 and "already stands for it" in str(taken.context["adminform"].form.errors)

    response = admin_client.post(add, {"name": "Warp Records", "slug": "", **empty_inline("aliases")})
    assert response.status_code == 302
    warp = Label.objects.get(name="Warp Records")
    assert (warp.key, warp.slug, warp.name_locked) == ("WARP", "warp_records", True)

    album = album_obj("Selected Ambient Works", artists=["Aphex Twin"], label="Warp")
    library_upsert(data=LibraryData(saved_tracks=[saved(track_obj("Xtal", album=album, artists=["Aphex Twin"]))],
                                    albums=[album]))  # fmt: skip
    assert list(Album.objects.get(name="Selected Ambient Works").labels.all()) == [warp]


def test_the_override_reads_in_curators_words_on_the_track_form(admin_client, lib):
    page = admin_client.get(reverse("admin:catalog_track_change", args=[tracks("lovely").pk])).content.decode()
    assert "Follow Spotify" in page and "Not liked" in page and "Unknown" not in page


# --- Curations and the refresh from (a fake) Spotify --------------------------------------------


def test_curations_made_in_the_admin_survive_a_refresh_from_spotify(
    admin_client, fake_spotify, spotify_connected, settings, django_capture_on_commit_callbacks
):
    settings.LABEL_PAGE_MIN_TRACKS = 1
    refresh = reverse("spotify:refresh")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(refresh, {"full": "1"}).status_code == 302
    saved = fake_spotify.library.saved_ids()
    assert Track.objects.filter(liked_on_spotify=True).count() == len(saved) > 10
    unliked_here, kept_liked, untouched = (Track.objects.get(spotify_id=i) for i in saved[:3])
    album = unliked_here.album
    label = Label.objects.exclude(album_links__album=album).first()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:catalog_track_toggle_like", args=[unliked_here.pk]))
        run_action(admin_client, TRACKS, "mark_liked", [kept_liked.pk])
    album_labels_set(album=album, labels=[label])
    fake_spotify.library.unlike([kept_liked.spotify_id, untouched.spotify_id])

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(refresh, {"full": "1"}).status_code == 302

    assert RefreshRun.objects.latest("pk").status == RefreshRun.Status.SUCCEEDED
    unliked_here, kept_liked, untouched = (Track.objects.get(pk=t.pk) for t in (unliked_here, kept_liked, untouched))
    assert (unliked_here.liked_on_spotify, unliked_here.is_liked) == (True, False)
    assert (kept_liked.liked_on_spotify, kept_liked.is_liked) == (False, True)
    assert (untouched.liked_on_spotify, untouched.is_liked) == (False, False)
    assert list(album.label_links.values_list("label", "source")) == [(label.pk, LabelSource.ADMIN)]
