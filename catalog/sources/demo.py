"""A generated, fictional demo library: deterministic from a seed, any size.

By default about 1,500 tracks by 150 artists on 25 labels. Some labels are co-labels on the
same album ("A/B"); some are known only from an album's ℗ copyright line (no ``label`` field,
as Spotify serves Development Mode apps). Each artist plays one genre family, and audio
features are drawn around that family's profile, so clusters of similar tracks mean something.
About 40% of the tracks are liked. Album and artist images are small SVGs in ``data:`` URIs:
nothing is fetched from the network. A few names are Korean, Japanese or Hebrew, and a few are
hostile (``|``, ``<script>``, ``*x*``, ``[x](y)``, a backslash) so the pages are exercised.

Every name is made up. The same seed and size always give the same library.
"""

from __future__ import annotations

import base64
import math
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from catalog.models import LabelSource, Track
from catalog.services import UpsertResult
from catalog.sources.batches import TrackBundle, library_batches, library_import

DEFAULT_TRACKS = 1500
DEFAULT_SEED = 2024
LIKED_SHARE = 0.4


@dataclass(frozen=True)
class Family:
    """A genre family: its genre names and the centre/spread of its audio features."""

    name: str
    genres: tuple[str, ...]
    profile: dict[str, tuple[float, float]]  # feature -> (mean, standard deviation)


def _profile(dance, energy, acoustic, instrumental, valence, speech, tempo, loudness) -> dict:
    return {
        "danceability": (dance, 0.08),
        "energy": (energy, 0.08),
        "acousticness": (acoustic, 0.1),
        "instrumentalness": (instrumental, 0.08),
        "valence": (valence, 0.12),
        "speechiness": (speech, 0.03),
        "liveness": (0.15, 0.08),
        "tempo": (tempo, 12.0),
        "loudness": (loudness, 1.8),
    }


FAMILIES = (
    Family("k-pop", ("k-pop", "k-pop girl group", "korean r&b"), _profile(0.72, 0.8, 0.1, 0.0, 0.65, 0.08, 120, -4.5)),
    Family("indie folk", ("indie folk", "chamber folk"), _profile(0.48, 0.35, 0.78, 0.05, 0.4, 0.04, 104, -10)),
    Family("techno", ("techno", "minimal techno", "acid house"), _profile(0.76, 0.88, 0.02, 0.85, 0.3, 0.06, 128, -7)),
    Family("jazz", ("contemporary jazz", "jazz piano"), _profile(0.55, 0.33, 0.82, 0.7, 0.5, 0.05, 112, -13)),
    Family("classical", ("classical", "string quartet"), _profile(0.24, 0.12, 0.96, 0.9, 0.2, 0.04, 92, -22)),
    Family("hip hop", ("hip hop", "boom bap", "trap"), _profile(0.8, 0.65, 0.12, 0.0, 0.5, 0.3, 94, -6)),
    Family("ambient", ("ambient", "drone"), _profile(0.2, 0.14, 0.82, 0.92, 0.1, 0.04, 78, -20)),
    Family("metal", ("metal", "doom metal", "power metal"), _profile(0.35, 0.95, 0.01, 0.2, 0.25, 0.07, 142, -4)),
    Family("city pop", ("city pop", "j-pop", "shibuya-kei"), _profile(0.66, 0.66, 0.25, 0.02, 0.78, 0.04, 112, -7)),
    Family("bossa nova", ("bossa nova", "latin jazz"), _profile(0.64, 0.38, 0.7, 0.15, 0.7, 0.05, 100, -12)),
)

# 25 labels; the last three appear only in ℗ lines. (name, family indexes that sign with it)
LABELS = (
    ("Northwind Records", (1, 3)),
    ("Glass Harbor Music", (0, 8)),
    ("Copperline", (2, 6)),
    ("Bluefern Records", (1, 9)),
    ("Static Orchard", (2, 5)),
    ("Velvet Kiln Music", (3, 9)),
    ("Hollow Pine Records", (7, 1)),
    ("Marigold Tapes", (8, 0)),
    ("Ironbridge Recordings", (7, 5)),
    ("Paper Lantern Records", (4, 3)),
    ("Cinder Coast", (5, 2)),
    ("Mooncrest Entertainment", (0,)),
    ("Harbor Lights Music Group", (9, 8)),
    ("Red Thistle Records", (1, 7)),
    ("Ember Vale", (6, 4)),
    ("Sundial Audio", (3, 4)),
    ("달빛 레코드", (0, 5)),
    ("星降る音楽", (8, 6)),
    ("Pipe|Line <Records>", (2, 7)),
    ("Lumen & Ash Recordings", (4, 6)),
    ("Tidewater Sound", (9, 3)),
    ("Orbit *Nine*", (5, 0)),
    ("Saltmarsh Sound", (1, 6)),
    ("Quiet Meridian", (3, 4)),
    ("קול הגל", (9, 2)),
)
COPYRIGHT_ONLY = frozenset({"Saltmarsh Sound", "Quiet Meridian", "קול הגל"})
# Co-label strings on some albums: "A/B" (both labels get the album).
CO_LABELS = (
    ("Northwind Records", "Copperline"),
    ("Glass Harbor Music", "Mooncrest Entertainment"),
    ("Static Orchard", "Cinder Coast"),
    ("Velvet Kiln Music", "Tidewater Sound"),
)

_FIRST = "Ada Bela Cato Dara Emil Fenn Gale Hana Ines Juno Kai Lior Mara Nico Oren Pia Rafa Sol Tova Uma Wren Zev"
_LAST = "Vale Moreau Okafor Lindqvist Ferro Halden Achebe Novak Sato Brandt Quill Marlowe Ibarra Castell Rook Ashby"
_ADJ = (
    "Velvet Paper Silver Quiet Hollow Crimson Neon Amber Lunar Static Golden Violet Northern Broken Electric Glass "
    "Midnight Wandering Tiny Distant Lucky Sleepy Wild Gentle"
)
_NOUN = (
    "Foxes Lanterns Harbors Satellites Orchards Engines Sparrows Tides Rivers Mirrors Comets Gardens Radios Ghosts "
    "Parades Islands Anchors Kites Meadows Circuits"
)
_TRACK_WORDS = (
    "Morning Static Paper Moon Slow Light Golden Hour River Song Last Train Blue Window Open Road Night Swim Falling "
    "Snow Summer Rain Small Hours Heart Signal Northern Lights Quiet Storm Long Way Home Glass House Wild Honey "
    "Echo Chamber Silver Line First Dance Low Tide Neon Sign Little Wings"
).split()
# Names that exercise the pages: non-Latin scripts and text that must render literally.
SPECIAL_ARTISTS = (
    ("달빛 소년단", 0),
    ("푸른 새벽", 0),
    ("夜明けのベル", 8),
    ("星屑ラジオ", 8),
    ("הגל הכחול", 9),
    ("צל הים", 1),
    ("Pipe | Dream", 2),
    ("<script>alert('demo')</script>", 5),
    ("*x* and the Stars", 7),
    ("[Click](here) Collective", 3),
    ("Back\\slash", 6),
)
SPECIAL_TRACKS = (
    "첫눈",
    "여름밤의 꿈",
    "夜空のむこう",
    "さよなら列車",
    "שיר לילה",
    "Left | Right",
    "<script>alert(1)</script>",
    "*x*",
    "[x](y)",
    "Back\\slash Blues",
    "Line one\nline two",
)
_B62 = string.ascii_letters + string.digits
_SIGNATURES = np.array([4] * 18 + [3, 5])  # mostly 4/4


def demo_load(
    *, tracks: int = DEFAULT_TRACKS, seed: int = DEFAULT_SEED, progress: Callable[[int], object] | None = None
) -> UpsertResult:
    """Write the demo library through the upsert service, in one transaction; loading it again changes nothing."""
    batches = library_batches(demo_bundles(tracks=tracks, seed=seed))
    return library_import(batches, label_source=LabelSource.IMPORT, progress=progress)


def library_is_empty() -> bool:
    return not Track.objects.exists()


def demo_bundles(*, tracks: int = DEFAULT_TRACKS, seed: int = DEFAULT_SEED) -> Iterator[TrackBundle]:
    """The demo library as track bundles, generated lazily (a 100,000-track library streams)."""
    return _Generator(tracks, seed).bundles()


class _Generator:
    def __init__(self, n_tracks: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.arrays: dict[str, tuple] = {}
        self.feature_rows: dict[str, list[dict]] = {}
        self.n_tracks = max(1, n_tracks)
        self.used_ids: set[str] = set()
        self.artists = self._make_artists(max(150, round(self.n_tracks / 10)))
        self.public = {a["id"]: _public(a) for a in self.artists}
        self.family_artists = [[a for a in self.artists if a["_family"] == i] for i in range(len(FAMILIES))]
        self.labels_by_family = [[name for name, fams in LABELS if i in fams] for i in range(len(FAMILIES))]

    # -- ids and pictures ----------------------------------------------------------------------

    def new_id(self) -> str:
        while True:
            number, digits = self.rng.getrandbits(131), []
            for _ in range(22):
                number, digit = divmod(number, 62)
                digits.append(_B62[digit])
            value = "".join(digits)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def picture(self, kind: str) -> list[dict]:
        """A small SVG (gradient and shapes) as a data: URI; renders in <img>, needs no network."""
        rng = self.rng
        hue, turn = rng.randrange(360), rng.choice((30, 60, 150, 200))
        shapes = "".join(
            f'<circle cx="{rng.randrange(64)}" cy="{rng.randrange(64)}" r="{rng.randrange(6, 26)}" '
            f'fill="hsl({(hue + turn * (i + 1)) % 360},70%,{rng.randrange(45, 80)}%)" fill-opacity="0.7"/>'
            for i in range(rng.randrange(1, 4))
        )
        rx = 32 if kind == "artist" else 0
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
            f'<defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue},65%,55%)"/>'
            f'<stop offset="1" stop-color="hsl({(hue + turn) % 360},65%,30%)"/></linearGradient></defs>'
            f'<rect width="64" height="64" rx="{rx}" fill="url(#g)"/>{shapes}</svg>'
        )
        url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
        return [{"url": url, "height": 64, "width": 64}]

    # -- artists -------------------------------------------------------------------------------

    def _make_artists(self, count: int) -> list[dict]:
        rng = self.rng
        names: list[tuple[str, int]] = list(SPECIAL_ARTISTS[: min(len(SPECIAL_ARTISTS), count // 10)])
        seen = {n for n, _ in names}
        first, last, adj, noun = _FIRST.split(), _LAST.split(), _ADJ.split(), _NOUN.split()
        while len(names) < count:
            if rng.random() < 0.5:
                name = f"{rng.choice(first)} {rng.choice(last)}"
            else:
                name = f"The {rng.choice(adj)} {rng.choice(noun)}"
            if name in seen:
                name = f"{name} {rng.choice(('Trio', 'Quartet', 'Band', 'Ensemble', 'Project', 'II', 'Jr.'))}"
            if name in seen:
                name = f"{name} {len(names)}"
            seen.add(name)
            names.append((name, rng.randrange(len(FAMILIES))))
        rng.shuffle(names)
        artists = []
        for name, family in names:
            genres = rng.sample(FAMILIES[family].genres, k=rng.randint(1, len(FAMILIES[family].genres)))
            artists.append(
                {
                    "id": self.new_id(),
                    "name": name,
                    "genres": genres,
                    "images": self.picture("artist"),
                    "popularity": rng.randint(5, 90),
                    "followers": {"total": int(rng.paretovariate(1.2) * 500)},
                    "_family": family,
                    "_like_bias": rng.gauss(0, 0.2),
                }
            )
        return artists

    def track_counts(self) -> list[int]:
        """How many tracks each artist gets: a long tail, so some artists fill whole pages."""
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(self.artists))]
        total = sum(weights)
        counts = [math.floor(self.n_tracks * w / total) for w in weights]
        for i in range(self.n_tracks - sum(counts)):
            counts[i % len(counts)] += 1
        return counts

    # -- albums and tracks ---------------------------------------------------------------------

    def bundles(self) -> Iterator[TrackBundle]:
        special_tracks = list(SPECIAL_TRACKS) if self.n_tracks >= 100 else []
        for artist, count in zip(self.artists, self.track_counts(), strict=True):
            while count > 0:
                size = min(count, self._album_size())
                album = self._album(artist, size)
                features = self._features(FAMILIES[artist["_family"]], size)
                for number in range(1, size + 1):
                    name = special_tracks.pop() if special_tracks and self.rng.random() < 0.05 else self._title()
                    yield self._track(artist, album, number, name, features[number - 1])
                count -= size

    def _album_size(self) -> int:
        roll = self.rng.random()
        return 1 if roll < 0.3 else self.rng.randint(4, 6) if roll < 0.55 else self.rng.randint(8, 14)

    def _album(self, artist: dict, size: int) -> dict:
        rng = self.rng
        family = artist["_family"]
        label = rng.choice(self.labels_by_family[family])
        year = rng.randint(1968, 2025)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.9 else str(year)
        album = {
            "id": self.new_id(),
            "name": self._title() if size > 1 else "",
            "album_type": "single" if size == 1 else "compilation" if rng.random() < 0.05 else "album",
            "release_date": date,
            "release_date_precision": "day" if len(date) == 10 else "year",
            "total_tracks": size,
            "images": self.picture("album"),
            "artists": [{"id": artist["id"], "name": artist["name"]}],
        }
        roll = rng.random()
        if label in COPYRIGHT_ONLY or roll < 0.15:
            album["copyrights"] = [
                {"text": f"℗ {year} {label}", "type": "P"},
                {"text": f"© {year} {label}", "type": "C"},
            ]
        elif roll < 0.25:
            co = [pair for pair in CO_LABELS if label in pair]
            album["label"] = "/".join(rng.choice(co)) if co else label
        elif roll < 0.27:
            pass  # an album whose label nobody knows
        else:
            album["label"] = label
            album["copyrights"] = [{"text": f"℗ {year} {label}", "type": "P"}]
        return album

    def _title(self) -> str:
        words = self.rng.sample(_TRACK_WORDS, k=self.rng.choice((1, 2, 2, 3)))
        return " ".join(words)

    def _track(self, artist: dict, album: dict, number: int, name: str, features: dict) -> TrackBundle:
        rng = self.rng
        if not album["name"]:
            album["name"] = name  # a single is named after its track
        credits = [artist]
        if rng.random() < 0.15:
            guest = rng.choice(self.family_artists[artist["_family"]])
            if guest is not artist:
                credits.append(guest)
        tid = self.new_id()
        track = {
            "id": tid,
            "name": name,
            "album": {k: album[k] for k in ("id", "name", "album_type", "release_date", "total_tracks", "images")},
            "artists": [{"id": a["id"], "name": a["name"]} for a in credits],
            "duration_ms": int(rng.gauss(215_000, 45_000)) if rng.random() > 0.02 else rng.randint(40_000, 900_000),
            "explicit": rng.random() < 0.08,
            "disc_number": 1,
            "track_number": number,
            "popularity": rng.randint(0, 90),
            "external_ids": {"isrc": f"QZ{rng.randint(0, 99):02d}{rng.randint(0, 10**7 - 1):07d}"},
        }
        liked = rng.random() < min(0.95, max(0.02, LIKED_SHARE + artist["_like_bias"]))
        added_at = None
        if liked:
            moment = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10 * 365 * 86400))
            added_at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return TrackBundle(
            track=track,
            album=album if number == 1 else None,
            artists=[self.public[a["id"]] for a in credits],
            features={"id": tid, **features, "_source": "demo"},
            liked=liked,
            added_at=added_at,
        )

    def _profile_arrays(self, family: Family) -> tuple:
        if family.name in self.arrays:
            return self.arrays[family.name]
        names = list(family.profile)
        means = np.array([family.profile[n][0] for n in names])
        spreads = np.array([family.profile[n][1] for n in names])
        low = np.array([50.0 if n == "tempo" else -40.0 if n == "loudness" else 0.0 for n in names])
        high = np.array([220.0 if n == "tempo" else 0.0 if n == "loudness" else 1.0 for n in names])
        self.arrays[family.name] = names, means, spreads, low, high
        return self.arrays[family.name]

    def _features(self, family: Family, count: int) -> list[dict]:
        """Audio features of ``count`` tracks, drawn around the family's profile.

        Drawn with numpy in blocks of 4,096 per family (one numpy call per album was a third of the
        time of a 100,000-track demo); albums take their rows from the family's block in turn.
        """
        buffer = self.feature_rows.setdefault(family.name, [])
        while len(buffer) < count:
            buffer.extend(self._feature_block(family, 4096))
        rows, buffer[:] = buffer[:count], buffer[count:]
        return rows

    def _feature_block(self, family: Family, count: int) -> list[dict]:
        names, means, spreads, low, high = self._profile_arrays(family)
        values = self.np_rng.normal(means, spreads, size=(count, len(names)))
        values = np.round(np.clip(values, low, high), 4).tolist()
        keys = self.np_rng.integers(0, 12, size=count).tolist()
        modes = (self.np_rng.random(count) < 0.6).astype(int).tolist()
        signatures = _SIGNATURES[self.np_rng.integers(0, len(_SIGNATURES), size=count)].tolist()
        return [
            {**dict(zip(names, row, strict=True)), "key": key, "mode": mode, "time_signature": signature}
            for row, key, mode, signature in zip(values, keys, modes, signatures, strict=True)
        ]


def _public(artist: dict) -> dict:
    return {k: v for k, v in artist.items() if not k.startswith("_")}
