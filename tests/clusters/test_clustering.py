from __future__ import annotations

import numpy as np
import pytest

from clusters import clustering
from clusters.clustering import NotClusterable, choose_k, cluster_tracks, passes_size_guard, stable_numbers
from clusters.features import AUDIO_FEATURES, TrackData, build_features


def blobs_data(sizes=(40, 40, 40), *, seed: int = 0, noise: float = 0.3) -> TrackData:
    """Tracks in well-separated groups: group g is acoustic and old for g=0, danceable and new for g=1, ..."""
    rng = np.random.default_rng(seed)
    centres = [
        dict(acousticness=0.9, danceability=0.2, year=1975, genre="classical"),
        dict(acousticness=0.1, danceability=0.85, year=2018, genre="k-pop"),
        dict(acousticness=0.3, danceability=0.6, year=1998, genre="hip hop"),
        dict(acousticness=0.5, danceability=0.4, year=1960, genre="jazz"),
    ]
    audio, year, genres, ids = [], [], [], []
    style = np.random.default_rng(99).uniform(0.2, 0.8, (len(centres), len(AUDIO_FEATURES)))
    for g, size in enumerate(sizes):
        c = centres[g]
        for i in range(size):
            row = style[g] + rng.normal(0, noise * 0.1, len(AUDIO_FEATURES))
            row[AUDIO_FEATURES.index("acousticness")] = c["acousticness"] + rng.normal(0, noise * 0.1)
            row[AUDIO_FEATURES.index("danceability")] = c["danceability"] + rng.normal(0, noise * 0.1)
            row[AUDIO_FEATURES.index("tempo")] = 120 + rng.normal(0, 5)
            audio.append(row)
            year.append(c["year"] + round(rng.normal(0, 3)))
            genres.append((c["genre"],))
            ids.append(f"g{g}t{i:03d}")
    n = len(ids)
    return TrackData(
        spotify_ids=ids,
        audio=np.array(audio),
        genres=genres,
        year=np.array(year, dtype=float),
        duration_ms=rng.normal(200_000, 20_000, n),
        explicit=np.zeros(n),
    )


def test_scatter_coordinates_are_true_principal_components():
    """The variance along each plotted axis equals an eigenvalue of the covariance (the original's didn't)."""
    features = build_features(blobs_data())
    result = cluster_tracks(features, [f"t{i}" for i in range(len(features.matrix))])
    eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(features.matrix, rowvar=False)))[::-1]
    np.testing.assert_allclose(np.var(result.xy, axis=0, ddof=1), eigenvalues[:2], rtol=1e-9)


def test_the_originals_projection_would_fail_the_principal_component_check():
    # Reproduces seed-system §5.2's bug (rows instead of columns of the eigenvector matrix) to show
    # that the check above tells a wrong projection from a right one.
    matrix = build_features(blobs_data()).matrix
    centred = matrix - matrix.mean(axis=0)
    values, vectors = np.linalg.eig(np.cov(centred, rowvar=False))
    order = np.argsort(values)[::-1]
    vectors = vectors[:, order]
    wrong = centred @ vectors[:2].T
    eigenvalues = np.sort(values.real)[::-1][:2]
    assert not np.allclose(np.var(wrong, axis=0, ddof=1), eigenvalues, rtol=1e-3)


def test_the_same_input_gives_identical_clusters():
    data = blobs_data((30, 50, 25))
    first = cluster_tracks(build_features(data), data.spotify_ids)
    second = cluster_tracks(build_features(data), data.spotify_ids)
    assert first.k == second.k
    assert first.numbers == second.numbers
    assert first.descriptions == second.descriptions
    np.testing.assert_array_equal(first.assignment, second.assignment)
    np.testing.assert_array_equal(first.distances, second.distances)
    assert (first.x_axis, first.y_axis) == (second.x_axis, second.y_axis)


def test_well_separated_groups_are_found_and_described():
    data = blobs_data()
    result = cluster_tracks(build_features(data), data.spotify_ids)
    assert result.k == 3
    for i in range(3):
        groups = {data.spotify_ids[r][:2] for r in np.flatnonzero(result.assignment == i)}
        assert len(groups) == 1
    classical = result.assignment[0]
    description = result.descriptions[classical]
    assert "classical" in description
    assert "1970s" in description
    assert "acoustic" in description


def test_k_is_chosen_among_clusterings_that_pass_the_size_guard():
    # Three tracks a little apart from a big group: splitting them off gives the best silhouette,
    # but a cluster of 3 next to clusters of 40 fails the guard (smallest × 10 < largest).
    rng = np.random.default_rng(1)
    points = np.vstack([rng.normal(0, 1, (40, 2)), rng.normal((10, 0), 1, (40, 2)), rng.normal((10, 7), 0.3, (3, 2))])
    fit, figures = choose_k(points)
    assert passes_size_guard(np.bincount(fit.labels_))
    best_unguarded = max((t for t in figures["tried"] if t["silhouette"] is not None), key=lambda t: t["silhouette"])
    assert not best_unguarded["size_guard"]
    assert fit.n_clusters != best_unguarded["k"]


def test_candidate_ks_stay_between_two_and_ten():
    assert clustering.candidate_ks(11) == [2, 3]
    assert clustering.candidate_ks(4526) == list(range(2, 11))
    assert clustering.original_k_rule(4526) == 10
    assert clustering.original_k_rule(40) == 3


def test_members_are_listed_nearest_the_centre_first():
    data = blobs_data()
    result = cluster_tracks(build_features(data), data.spotify_ids)
    for i in range(result.k):
        rows = result.members(i, data.spotify_ids)
        distances = result.distances[rows]
        assert list(distances) == sorted(distances)
        assert len(rows) == result.sizes()[i]


def test_numbers_follow_the_previous_run_when_the_data_barely_changed():
    data = blobs_data(seed=0)
    first = cluster_tracks(build_features(data), data.spotify_ids)
    # Pretend the previous run numbered the clusters differently (a rotation), then rerun on
    # slightly different data: the new clusters take the old numbers of the clusters they match.
    rotated = {n: n % first.k + 1 for n in first.numbers}
    previous = {sid: rotated[first.numbers[first.assignment[r]]] for r, sid in enumerate(data.spotify_ids)}
    changed = blobs_data(seed=0, noise=0.35)
    second = cluster_tracks(build_features(changed), changed.spotify_ids, previous=previous)
    for r, sid in enumerate(changed.spotify_ids):
        assert second.numbers[second.assignment[r]] == previous[sid]


def test_without_a_previous_run_the_largest_cluster_is_number_one():
    assignment = np.array([0, 1, 1, 1, 2, 2])
    points = np.arange(12, dtype=float).reshape(6, 2)
    assert stable_numbers(assignment, points, list("abcdef")) == [3, 1, 2]


def test_new_clusters_get_the_free_numbers_when_k_grows():
    assignment = np.array([0, 0, 1, 1, 2, 2])
    points = np.array([[0, 0], [0, 1], [10, 10], [10, 11], [20, 20], [20, 21]], dtype=float)
    previous = {"a": 2, "b": 2, "c": 1, "d": 1}  # e and f are new
    assert stable_numbers(assignment, points, list("abcdef"), previous) == [2, 1, 3]


def test_axis_names_say_which_way_the_tracks_lie():
    data = blobs_data((40, 40))
    features = build_features(data)
    result = cluster_tracks(features, data.spotify_ids)
    first_term = result.x_axis.split(", ")[0]
    assert len(result.x_axis.split(", ")) == 3
    acoustic = data.audio[:, AUDIO_FEATURES.index("acousticness")]
    correlation = np.corrcoef(acoustic, result.xy[:, 0])[0, 1]
    if first_term == "Acoustic":
        assert correlation > 0.5
    elif first_term == "Electronic":
        assert correlation < -0.5
    else:  # the same split shows as genre or year: the component must still order the groups
        assert abs(correlation) > 0.5


def test_tracks_that_nothing_tells_apart_cannot_be_clustered():
    data = blobs_data((10,))
    data.audio[:] = 0.5
    data.year[:] = 2000
    data.duration_ms[:] = 200_000
    with pytest.raises(NotClusterable):
        cluster_tracks(build_features(data), data.spotify_ids)
