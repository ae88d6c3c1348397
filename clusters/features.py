"""The feature matrix of a set of tracks (pure: plain arrays in, numpy out, no database).

What goes in is whatever the library has (design §6): the eight audio features of the original's
features page when present (standardized, imputed with the scope's median where a track lacks
them), genre indicators from the primary artist's genres (rare genres pooled into one column),
release year, duration, explicit, and label indicators for the library-wide scope. A library
refreshed by a Development Mode app has no audio features at all; the other blocks still give a
usable matrix.

Scaling: continuous columns are z-scores (each column weighs one unit of variance). Indicator
blocks (genres, labels) are one-hot rows normalized to unit length and multiplied by a block
weight, so two tracks with disjoint genres are ``weight * sqrt(2)`` apart however many genres
their artists have, and a rare genre cannot dominate the way a z-scored rare indicator would.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# The eight features of the original's features page, with its adjectives (seed-system §2.8).
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
)
ADJECTIVES: dict[str, tuple[str, str]] = {
    "danceability": ("Danceable", "Not danceable"),
    "energy": ("Energetic", "Mellow"),
    "speechiness": ("Speechy", "Melodic"),
    "acousticness": ("Acoustic", "Electronic"),
    "instrumentalness": ("Instrumental", "Vocal"),
    "liveness": ("Live", "Produced"),
    "valence": ("Happy", "Sad"),
    "tempo": ("Fast", "Slow"),
    "year": ("Newer", "Older"),
    "duration": ("Longer", "Shorter"),
    "explicit": ("Explicit", "Clean"),
}

GENRE_WEIGHT = 3.0
LABEL_WEIGHT = 1.5
# A genre (or label) gets its own column when at least this share of the scope's tracks has it
# (and at least MIN_INDICATOR_TRACKS tracks); the others are pooled into one "other" column.
MIN_INDICATOR_SHARE = 0.05
MIN_INDICATOR_TRACKS = 3
MAX_INDICATOR_COLUMNS = 24
OTHER = "(other)"


@dataclass
class TrackData:
    """What the feature matrix is built from, one entry per track, in a fixed order.

    ``audio`` is ``(n, len(AUDIO_FEATURES))`` with NaN where a value (or a whole row) is missing.
    ``genres`` holds the primary artist's genres per track; ``labels`` the album's label names.
    """

    spotify_ids: list[str]
    audio: np.ndarray
    genres: list[tuple[str, ...]]
    year: np.ndarray
    duration_ms: np.ndarray
    explicit: np.ndarray
    labels: list[tuple[str, ...]] = field(default_factory=list)
    track_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.spotify_ids)
        if not self.labels:
            self.labels = [()] * n
        if not self.track_ids:
            self.track_ids = list(range(n))
        for name in ("genres", "labels", "track_ids"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"TrackData.{name} has {len(getattr(self, name))} entries for {n} tracks")
        for name in ("audio", "year", "duration_ms", "explicit"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"TrackData.{name} has {len(getattr(self, name))} rows for {n} tracks")

    def __len__(self) -> int:
        return len(self.spotify_ids)

    def fingerprint(self) -> str:
        """A digest of everything the features depend on: equal digests give equal clusters."""
        h = hashlib.sha256()
        h.update("\n".join(self.spotify_ids).encode())
        for array in (self.audio, self.year, self.duration_ms, self.explicit):
            h.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        for groups in (self.genres, self.labels):
            h.update(repr([sorted(g) for g in groups]).encode())
        return h.hexdigest()


@dataclass
class Features:
    """The standardized matrix, its column names and kinds, and the raw values descriptions need."""

    matrix: np.ndarray
    columns: list[str]
    kinds: list[str]  # per column: audio | year | duration | explicit | genre | label
    feature_set: dict
    year: np.ndarray
    genres: list[tuple[str, ...]]

    @property
    def has_audio(self) -> bool:
        return "audio" in self.kinds


def _zscore(values: np.ndarray) -> np.ndarray | None:
    """Median-imputed z-scores, or None when the column carries no information."""
    values = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(values)
    if present.sum() < 2:
        return None
    filled = np.where(present, values, np.median(values[present]))
    std = filled.std()
    if not std > 1e-12:
        return None
    return (filled - filled.mean()) / std


def _indicator_block(groups: Sequence[tuple[str, ...]], weight: float) -> tuple[np.ndarray, list[str]]:
    """Unit-length one-hot rows over the frequent values, rare values pooled into ``OTHER``."""
    n = len(groups)
    counts = Counter(value for group in groups for value in set(group))
    threshold = max(MIN_INDICATOR_TRACKS, MIN_INDICATOR_SHARE * n)
    # Ties are broken by name so the same data always gives the same columns.
    frequent = sorted((v for v, c in counts.items() if c >= threshold), key=lambda v: (-counts[v], v))
    frequent = frequent[:MAX_INDICATOR_COLUMNS]
    index = {v: i for i, v in enumerate(frequent)}
    has_rare = any(v not in index for v in counts)
    columns = frequent + ([OTHER] if has_rare else [])
    block = np.zeros((n, len(columns)), dtype=np.float64)
    for row, group in enumerate(groups):
        for value in set(group):
            block[row, index.get(value, len(frequent))] = 1.0
    norms = np.linalg.norm(block, axis=1)
    nonzero = norms > 0
    block[nonzero] /= norms[nonzero, None]
    if not len(columns) or block.std(axis=0).max(initial=0.0) < 1e-12:
        return np.zeros((n, 0)), []
    return block * weight, columns


def build_features(data: TrackData, *, include_labels: bool = False) -> Features:
    """The feature matrix of ``data`` (rows in its order) with the feature set it used.

    Columns without information in this scope (constant, or fewer than two known values) are left
    out, so the matrix always has the columns that can tell these tracks apart. Deterministic.
    """
    n = len(data)
    blocks: list[np.ndarray] = []
    columns: list[str] = []
    kinds: list[str] = []
    audio_used: list[str] = []
    imputed = 0

    audio = np.asarray(data.audio, dtype=np.float64).reshape(n, len(AUDIO_FEATURES))
    for j, name in enumerate(AUDIO_FEATURES):
        z = _zscore(audio[:, j])
        if z is not None:
            blocks.append(z[:, None])
            columns.append(name)
            kinds.append("audio")
            audio_used.append(name)
            imputed += int(np.isnan(audio[:, j]).sum())

    year = np.asarray(data.year, dtype=np.float64)
    duration = np.asarray(data.duration_ms, dtype=np.float64)
    # Durations are skewed (a 20-minute symphony movement next to 3-minute songs): log first.
    log_duration = np.log(np.where(duration > 0, duration, np.nan))
    for name, values in (("year", year), ("duration", log_duration), ("explicit", data.explicit)):
        z = _zscore(np.asarray(values, dtype=np.float64))
        if z is not None:
            blocks.append(z[:, None])
            columns.append(name)
            kinds.append(name)

    genre_block, genre_columns = _indicator_block(data.genres, GENRE_WEIGHT)
    blocks.append(genre_block)
    columns += genre_columns
    kinds += ["genre"] * len(genre_columns)

    label_columns: list[str] = []
    if include_labels:
        label_block, label_columns = _indicator_block(data.labels, LABEL_WEIGHT)
        blocks.append(label_block)
        columns += label_columns
        kinds += ["label"] * len(label_columns)

    matrix = np.hstack(blocks) if blocks else np.zeros((n, 0))
    feature_set = {
        "audio": audio_used,
        "tracks_with_audio": int((~np.isnan(audio).all(axis=1)).sum()) if n else 0,
        "imputed_audio_values": imputed,
        "other": [k for k in ("year", "duration", "explicit") if k in kinds],
        "genres": genre_columns,
        "labels": label_columns,
        "columns": len(columns),
    }
    return Features(
        matrix=matrix,
        columns=columns,
        kinds=kinds,
        feature_set=feature_set,
        year=year,
        genres=list(data.genres),
    )
