"""Clustering of one scope's feature matrix (pure scikit-learn and numpy, no database).

A true PCA (scikit-learn's, unlike the original's projection, seed-system §5.2) keeps the
components that explain ``PCA_VARIANCE`` of the variance; KMeans with a fixed random state runs
for each candidate k, and the k with the best silhouette among the clusterings that pass the
original's size guard (smallest × 10 ≥ largest) wins. The same input always gives the same
output: fixed random states, a full SVD, and ties broken by position or track id.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from clusters.constants import NEAREST  # noqa: F401 - re-exported, part of this module's API
from clusters.features import ADJECTIVES, OTHER, Features

RANDOM_STATE = 0
PCA_VARIANCE = 0.9
MIN_CLUSTERS = 2
MAX_CLUSTERS = 10
# Aim for clusters of at least this many tracks when choosing the largest k to try.
MIN_TRACKS_PER_CLUSTER = 15
MAX_CLUSTER_SIZE_RATIO = 10.0
KMEANS_N_INIT = 4
# Silhouette is quadratic in tracks: above this many, it is computed on a fixed sample.
SILHOUETTE_SAMPLE = 2000
# A change here changes every clustering: stored runs are recomputed even when data is unchanged.
ALGORITHM_VERSION = "pca-kmeans-silhouette-1"


class NotClusterable(ValueError):
    """Too few tracks, or nothing that tells them apart."""


@dataclass
class Clustering:
    """One scope's clusters. Cluster index ``i`` (0-based, as in ``assignment``) has ``numbers[i]``."""

    k: int
    assignment: np.ndarray  # cluster index per track
    distances: np.ndarray  # distance of each track to its cluster's centre (clustering space)
    centres: np.ndarray  # (k, d) in clustering space
    points: np.ndarray  # (n, d) the tracks in clustering space
    xy: np.ndarray  # (n, 2) first two principal components, for the scatter plot
    x_axis: str
    y_axis: str
    numbers: list[int]
    descriptions: list[str]
    silhouette: float
    quality: dict = field(default_factory=dict)

    def sizes(self) -> list[int]:
        return np.bincount(self.assignment, minlength=self.k).tolist()

    def members(self, index: int, spotify_ids: Sequence[str]) -> list[int]:
        """Row positions of cluster ``index``'s tracks, nearest the centre first (ties by track id)."""
        rows = np.flatnonzero(self.assignment == index)
        return sorted(rows.tolist(), key=lambda r: (float(self.distances[r]), spotify_ids[r]))


def candidate_ks(n: int) -> list[int]:
    """The k values tried for ``n`` tracks: 2 up to one cluster per MIN_TRACKS_PER_CLUSTER tracks (3..10)."""
    k_max = min(MAX_CLUSTERS, n - 1, max(3, math.ceil(n / MIN_TRACKS_PER_CLUSTER)))
    return list(range(MIN_CLUSTERS, k_max + 1))


def original_k_rule(n: int) -> int:
    """The original's starting k: max(3, min(10, ceil(n / 50))) (seed-system §5.3)."""
    return max(3, min(10, math.ceil(n / 50)))


def passes_size_guard(sizes: Sequence[int]) -> bool:
    """The original's "good" clustering: the smallest cluster is at least a tenth of the largest."""
    return bool(min(sizes) * MAX_CLUSTER_SIZE_RATIO >= max(sizes))


def true_pca(matrix: np.ndarray) -> PCA:
    """scikit-learn PCA fitted with a full SVD (deterministic, exact principal components)."""
    return PCA(svd_solver="full", random_state=RANDOM_STATE).fit(matrix)


def _silhouette(points: np.ndarray, assignment: np.ndarray) -> float:
    if len(set(assignment.tolist())) < 2:
        return float("nan")
    sample = SILHOUETTE_SAMPLE if len(points) > SILHOUETTE_SAMPLE else None
    return float(silhouette_score(points, assignment, sample_size=sample, random_state=RANDOM_STATE))


def _rounded(value: float, digits: int = 4) -> float | None:
    """A figure fit for JSON (NaN is not)."""
    return None if math.isnan(value) else round(float(value), digits)


def choose_k(points: np.ndarray) -> tuple[KMeans, dict]:
    """The KMeans fit with the best silhouette among those passing the size guard.

    When no k passes the guard (a few far outliers make every split lopsided), the best
    silhouette wins. Returns the fit and the figures of every try.
    """
    tries = []
    for k in candidate_ks(len(points)):
        fit = KMeans(n_clusters=k, n_init=KMEANS_N_INIT, random_state=RANDOM_STATE).fit(points)
        sizes = np.bincount(fit.labels_, minlength=k)
        tries.append((k, fit, _silhouette(points, fit.labels_), passes_size_guard(sizes)))
    guarded = [t for t in tries if t[3] and not math.isnan(t[2])]
    best = max(guarded or tries, key=lambda t: (-1.0 if math.isnan(t[2]) else t[2], -t[0]))
    figures = {
        "tried": [{"k": k, "silhouette": _rounded(s), "size_guard": g} for k, _, s, g in tries],
        "size_guard_passed": best[3],
    }
    return best[1], figures


def _term(column: str, kind: str, positive: bool) -> str:
    if kind in ("genre", "label"):
        name = "other genres" if column == OTHER and kind == "genre" else column
        if column == OTHER and kind == "label":
            name = "other labels"
        return name if positive else f"not {name}"
    more, less = ADJECTIVES[column]
    return more if positive else less


def axis_name(loadings: np.ndarray, features: Features, top: int = 3) -> str:
    """Name a component by its ``top`` largest loadings: adjective, or its opposite when negative."""
    order = sorted(range(len(loadings)), key=lambda j: (-abs(loadings[j]), j))[:top]
    return ", ".join(_term(features.columns[j], features.kinds[j], loadings[j] >= 0) for j in order)


def describe_cluster(rows: np.ndarray, features: Features) -> str:
    """A short description of what sets these tracks apart from the scope, e.g. "acoustic, slow · classical · 1990s"."""
    parts: list[str] = []
    means = features.matrix[rows].mean(axis=0) if len(rows) else np.zeros(len(features.columns))
    traits = [
        (abs(means[j]), j)
        for j, kind in enumerate(features.kinds)
        if kind in ("audio", "duration", "explicit") and abs(means[j]) >= 0.5
    ]
    strongest = sorted(traits, key=lambda t: (-t[0], t[1]))[:2]
    words = [_term(features.columns[j], features.kinds[j], means[j] >= 0).lower() for _, j in strongest]
    if words:
        parts.append(", ".join(words))
    genre = _distinctive_genre(rows, features.genres)
    if genre:
        parts.append(genre)
    years = features.year[rows]
    years = years[~np.isnan(years)]
    if len(years):
        parts.append(f"{int(np.median(years)) // 10 * 10}s")
    return " · ".join(parts) or "mixed"


def _distinctive_genre(rows: np.ndarray, genres: Sequence[tuple[str, ...]]) -> str:
    """The genre most over-represented in ``rows`` that at least 30% of them have, or ''."""
    inside = Counter(g for r in rows.tolist() for g in set(genres[r]))
    overall = Counter(g for group in genres for g in set(group))
    n, m = len(genres), len(rows)
    best, best_score = "", 0.0
    for genre, count in sorted(inside.items()):
        share = count / m
        lift = share / (overall[genre] / n)
        score = share * min(lift, 3.0)
        if share >= 0.3 and lift >= 1.1 and score > best_score:
            best, best_score = genre, score
    return best


def stable_numbers(
    assignment: np.ndarray,
    points: np.ndarray,
    spotify_ids: Sequence[str],
    previous: Mapping[str, int] | None = None,
) -> list[int]:
    """1-based numbers for the clusters: the previous run's numbers where the clusters match.

    ``previous`` maps track id → the cluster number it had. Each previous cluster's centre is
    recomputed here from its members that are still present (so a change of PCA basis between
    runs does not matter) and matched to the new centres by the Hungarian method; clusters
    without a match get the free numbers, largest cluster first. Without a previous run the
    largest cluster is #1.
    """
    k = int(assignment.max()) + 1 if len(assignment) else 0
    sizes = np.bincount(assignment, minlength=k)
    by_size = sorted(range(k), key=lambda i: (-sizes[i], i))
    numbers: dict[int, int] = {}
    if previous:
        old_rows: dict[int, list[int]] = {}
        for row, sid in enumerate(spotify_ids):
            number = previous.get(sid)
            if number is not None and number <= k:
                old_rows.setdefault(number, []).append(row)
        old_numbers = sorted(old_rows)
        if old_numbers:
            new_centres = np.array([points[assignment == i].mean(axis=0) for i in range(k)])
            old_centres = np.array([points[old_rows[num]].mean(axis=0) for num in old_numbers])
            cost = np.linalg.norm(new_centres[:, None, :] - old_centres[None, :, :], axis=2)
            for i, j in zip(*linear_sum_assignment(cost), strict=True):
                numbers[int(i)] = old_numbers[j]
    free = iter(sorted(set(range(1, k + 1)) - set(numbers.values())))
    for i in by_size:
        if i not in numbers:
            numbers[i] = next(free)
    return [numbers[i] for i in range(k)]


# Below this many tracks KMeans runs single-threaded: OpenMP threads cost more than they save on
# small scopes, and thrash when several workers share the cores. Threads do not change results.
SINGLE_THREAD_BELOW = 20_000


def cluster_tracks(
    features: Features,
    spotify_ids: Sequence[str],
    *,
    previous: Mapping[str, int] | None = None,
) -> Clustering:
    """Cluster the rows of ``features`` (one per id in ``spotify_ids``). Deterministic."""
    if len(features.matrix) < SINGLE_THREAD_BELOW:
        with threadpool_limits(limits=1):
            return _cluster_tracks(features, spotify_ids, previous)
    return _cluster_tracks(features, spotify_ids, previous)


def _cluster_tracks(features: Features, spotify_ids: Sequence[str], previous: Mapping[str, int] | None) -> Clustering:
    matrix = features.matrix
    n = len(matrix)
    if n < 3:
        raise NotClusterable(f"{n} tracks: at least 3 are needed")
    if matrix.shape[1] == 0 or float(matrix.std(axis=0).max()) < 1e-12:
        raise NotClusterable("no feature tells these tracks apart")
    pca = true_pca(matrix)
    cumulative = np.cumsum(pca.explained_variance_ratio_)
    keep = max(2, int(np.searchsorted(cumulative, PCA_VARIANCE) + 1))
    keep = min(keep, pca.n_components_)
    scores = pca.transform(matrix)
    points = scores[:, :keep]
    fit, figures = choose_k(points)
    assignment = fit.labels_.astype(np.int64)
    k = int(fit.n_clusters)
    centres = fit.cluster_centers_
    distances = np.linalg.norm(points - centres[assignment], axis=1)
    xy = np.zeros((n, 2))
    xy[:, : min(2, scores.shape[1])] = scores[:, :2]
    components = pca.components_
    x_axis = axis_name(components[0], features)
    y_axis = axis_name(components[1], features) if len(components) > 1 else ""
    numbers = stable_numbers(assignment, points, spotify_ids, previous)
    descriptions = [describe_cluster(np.flatnonzero(assignment == i), features) for i in range(k)]
    sizes = np.bincount(assignment, minlength=k)
    quality = {
        **figures,
        "silhouette_clustering_space": _rounded(_silhouette(points, assignment)),
        "inertia": float(fit.inertia_),
        "pca_components": keep,
        "explained_variance": [round(float(v), 4) for v in pca.explained_variance_ratio_[:keep]],
        "size_ratio": round(float(sizes.max() / sizes.min()), 3),
        "original_k": original_k_rule(n),
    }
    return Clustering(
        k=k,
        assignment=assignment,
        distances=distances,
        centres=centres,
        points=points,
        xy=xy,
        x_axis=x_axis,
        y_axis=y_axis,
        numbers=numbers,
        descriptions=descriptions,
        silhouette=_silhouette(matrix, assignment),
        quality=quality,
    )
