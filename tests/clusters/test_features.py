from __future__ import annotations

import numpy as np
import pytest

from clusters.features import AUDIO_FEATURES, GENRE_WEIGHT, OTHER, TrackData, build_features


def track_data(n: int, *, audio: np.ndarray | None = None, genres=None, labels=None) -> TrackData:
    rng = np.random.default_rng(3)
    return TrackData(
        spotify_ids=[f"t{i:03d}" for i in range(n)],
        audio=audio if audio is not None else np.full((n, len(AUDIO_FEATURES)), np.nan),
        genres=genres if genres is not None else [("pop",) if i % 2 else ("jazz",) for i in range(n)],
        year=rng.integers(1960, 2024, n).astype(float),
        duration_ms=rng.integers(120_000, 400_000, n).astype(float),
        explicit=(np.arange(n) % 3 == 0).astype(float),
        labels=labels or [],
    )


def test_features_without_any_audio_features_still_separate_tracks_by_genre_year_length_and_explicit():
    features = build_features(track_data(20))
    assert not features.has_audio
    assert features.feature_set["audio"] == []
    assert features.feature_set["other"] == ["year", "duration", "explicit"]
    assert features.feature_set["genres"] == ["jazz", "pop"]
    assert features.matrix.shape == (20, 5)
    assert np.isfinite(features.matrix).all()


def test_audio_features_are_standardized_when_present():
    rng = np.random.default_rng(0)
    audio = rng.uniform(0, 1, (30, len(AUDIO_FEATURES)))
    audio[:, AUDIO_FEATURES.index("tempo")] = rng.uniform(60, 180, 30)
    features = build_features(track_data(30, audio=audio))
    assert features.feature_set["audio"] == list(AUDIO_FEATURES)
    block = features.matrix[:, [i for i, kind in enumerate(features.kinds) if kind == "audio"]]
    np.testing.assert_allclose(block.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(block.std(axis=0), 1)


def test_missing_audio_values_are_imputed_with_the_median_and_counted():
    audio = np.tile(np.linspace(0, 1, 12)[:, None], (1, len(AUDIO_FEATURES)))
    audio[3] = np.nan  # a track without audio features
    features = build_features(track_data(12, audio=audio))
    assert features.feature_set["tracks_with_audio"] == 11
    assert features.feature_set["imputed_audio_values"] == len(AUDIO_FEATURES)
    danceability = features.matrix[:, features.columns.index("danceability")]
    median_row = 6  # rows 0-2 and 4-6 are the six smallest known values: row 6 holds the median
    assert danceability[3] == pytest.approx(danceability[median_row])


def test_rare_genres_are_pooled_into_one_column():
    genres = [("pop",)] * 10 + [("jazz",)] * 8 + [("zydeco",), ("polka",)]
    features = build_features(track_data(20, genres=genres))
    assert features.feature_set["genres"] == ["pop", "jazz", OTHER]
    other = features.matrix[:, features.columns.index(OTHER)]
    assert other[18] == other[19] == pytest.approx(GENRE_WEIGHT)
    assert (other[:18] == 0).all()


def test_a_track_with_many_genres_weighs_as_much_as_a_track_with_one():
    genres = [("pop", "dance pop", "electropop")] * 10 + [("jazz",)] * 10
    features = build_features(track_data(20, genres=genres))
    genre_columns = [i for i, kind in enumerate(features.kinds) if kind == "genre"]
    norms = np.linalg.norm(features.matrix[:, genre_columns], axis=1)
    np.testing.assert_allclose(norms, GENRE_WEIGHT)


def test_labels_become_features_only_when_asked_for():
    labels = [("Decca",)] * 10 + [("Sony",)] * 10
    data = track_data(20, labels=labels)
    assert build_features(data).feature_set["labels"] == []
    assert build_features(data, include_labels=True).feature_set["labels"] == ["Decca", "Sony"]


def test_a_constant_column_is_left_out():
    data = track_data(12)
    data.explicit[:] = 0
    assert "explicit" not in build_features(data).columns


def test_track_data_rejects_arrays_of_the_wrong_length():
    with pytest.raises(ValueError, match="year"):
        TrackData(spotify_ids=["a", "b"], audio=np.zeros((2, 8)), genres=[(), ()], year=np.zeros(3),
                  duration_ms=np.zeros(2), explicit=np.zeros(2))  # fmt: skip


def test_the_fingerprint_changes_with_the_data_and_only_with_it():
    a, b = track_data(15), track_data(15)
    assert a.fingerprint() == b.fingerprint()
    b.genres[4] = ("polka",)
    assert a.fingerprint() != b.fingerprint()
