"""Clusters benchmark: our method against the original's on the reference library, and the cost.

    .venv/bin/python bench/cluster_bench.py [--reference ../shared/reference-library]
                                            [--demo-tracks 100000] [--skip-demo]

1. Imports the reference library (the original's CSV data, read at run time, never copied) into
   a temporary SQLite database with the project's own importer.
2. For every label and artist that gets a clusters page: silhouette and NMI (cluster vs. the
   primary artist's first genre) for our method and for the original's (seed-system §5,
   reimplemented below with its PCA bug), on the tracks the original clusters (those whose
   primary artist has a genre: its ML dataset drops the others). Silhouette is given in two
   spaces: our standardized feature space (all features) and the standardized audio space
   (the original's 7 features), so neither method is judged only on its own ground.
3. The same with audio features removed (the Development Mode case): the original cannot cluster
   at all then.
4. The time to recluster everything (every label, artist and the library) through the service.
5. The time and peak memory of features + clustering for 25k/50k/100k-track demo libraries
   (catalog.sources.demo), and the whole 100k library scope through the service.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db_path: Path, media: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelsite.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# -- the original's method (seed-system §5.2-5.3), bug included ---------------------------------

ORIGINAL_FEATURES = ("danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness", "valence")


def original_pca(data, n_components: int):
    """The original's principal_component_analysis: the projection uses eigenvector *rows*."""
    import numpy as np

    centred = data - data.mean(axis=0)
    values, vectors = np.linalg.eig(np.cov(centred, rowvar=False))
    order = np.argsort(values)[::-1]
    vectors = vectors[:, order]
    components = vectors[:n_components]  # the bug: rows, not columns
    return np.real(centred @ components.T)


def original_clusters(audio7):
    """KMeans on the 5-d "PCA": k0 = max(3, min(10, ceil(n/50))), step down while smallest*10 < largest."""
    import numpy as np
    from sklearn.cluster import KMeans

    projected = original_pca(audio7, 5)
    k = max(3, min(10, math.ceil(len(audio7) / 50)))
    while True:
        labels = KMeans(n_clusters=k, n_init="auto", random_state=0).fit_predict(projected)
        sizes = np.bincount(labels, minlength=k)
        if not (sizes.min() * 10 < sizes.max() and k > 3):
            return labels
        k -= 1


# -- figures ---------------------------------------------------------------------------------------


def scope_figures(data, include_labels: bool, *, with_audio: bool) -> dict | None:
    """Silhouettes and NMI of ours and the original's on one scope's tracks, or None when too few."""
    import numpy as np
    from sklearn.metrics import normalized_mutual_info_score, silhouette_score

    from clusters.clustering import NotClusterable, cluster_tracks
    from clusters.features import AUDIO_FEATURES, TrackData, build_features

    if not with_audio:
        data = TrackData(
            spotify_ids=data.spotify_ids, track_ids=data.track_ids, audio=np.full_like(data.audio, np.nan),
            genres=data.genres, year=data.year, duration_ms=data.duration_ms, explicit=data.explicit,
            labels=data.labels,
        )  # fmt: skip
    features = build_features(data, include_labels=include_labels)
    try:
        ours = cluster_tracks(features, data.spotify_ids).assignment
    except NotClusterable:
        return None
    # The original's dataset: tracks whose primary artist has a genre (its inner join).
    keep = np.array([bool(g) for g in data.genres])
    if keep.sum() < 3:
        return None
    first_genre = [g[0] for g, k in zip(data.genres, keep, strict=True) if k]
    ours_kept = ours[keep]
    space_ours = features.matrix[keep]
    audio7 = data.audio[:, [AUDIO_FEATURES.index(f) for f in ORIGINAL_FEATURES]][keep]

    def sil(space, labels):
        if len(set(labels.tolist())) < 2 or space.shape[1] == 0:
            return float("nan")
        return float(silhouette_score(space, labels, sample_size=min(3000, len(labels)), random_state=0))

    figures = {
        "n": int(len(data)),
        "n_eval": int(keep.sum()),
        "k_ours": int(len(set(ours.tolist()))),
        "sil_ours": sil(space_ours, ours_kept),
        "nmi_ours": float(normalized_mutual_info_score(first_genre, ours_kept)),
    }
    if with_audio and not np.isnan(audio7).any() and len(audio7) >= 3:
        audio_z = (audio7 - audio7.mean(axis=0)) / np.where(audio7.std(axis=0) > 0, audio7.std(axis=0), 1)
        original = original_clusters(audio7)
        figures.update(
            k_orig=int(len(set(original.tolist()))),
            sil_orig=sil(space_ours, original),
            nmi_orig=float(normalized_mutual_info_score(first_genre, original)),
            sil_audio_ours=sil(audio_z, ours_kept),
            sil_audio_orig=sil(audio_z, original),
        )
    return figures


def fmt(value: float | None, width: int = 6) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a".rjust(width)
    return f"{value:{width}.3f}"


def compare(reference: Path) -> None:
    from django.conf import settings

    from catalog.models import Artist, Label, LabelSource
    from catalog.selectors import artist_tracks, artists_with_pages, label_tracks, labels_with_pages, library_counts
    from catalog.sources.batches import source_library_write
    from catalog.sources.spotify_stats import spotify_stats_read
    from clusters import services

    t0 = time.perf_counter()
    library = spotify_stats_read(reference)
    source_library_write(library, label_source=LabelSource.IMPORT)
    print(f"Imported {reference} in {time.perf_counter() - t0:.1f}s: {library_counts()}")

    scopes = [("label", label.name, label_tracks(label)) for label in Label.objects.filter(
        pk__in=labels_with_pages().values("pk")).order_by("name")]  # fmt: skip
    scopes += [("artist", artist.name, artist_tracks(artist)) for artist in Artist.objects.filter(
        pk__in=artists_with_pages().values("pk")).order_by("name")]  # fmt: skip
    rows = []
    for kind, name, tracks in scopes:
        data = services.scope_track_data(tracks)
        if len(data) <= settings.CLUSTERS_PAGE_MIN_TRACKS:
            continue
        with_audio = scope_figures(data, False, with_audio=True)
        without = scope_figures(data, False, with_audio=False)
        if with_audio:
            rows.append((kind, name, with_audio, without))

    def name_of(kind: str, name: str) -> str:
        return f"{kind}: {name[:40]}".replace("|", "/")

    print("\n## With audio features")
    print("Silhouette in our standardized feature space and in the standardized audio space (the original's 7")
    print("features); NMI between the clusters and the primary artist's first genre.")
    table(
        ["scope", "tracks", "eval", "k ours", "k orig", "sil ours", "sil orig", "NMI ours", "NMI orig",
         "audio sil ours", "audio sil orig"],
        [[name_of(kind, name), f["n"], f["n_eval"], f["k_ours"], f.get("k_orig", "-"), fmt(f["sil_ours"]),
          fmt(f.get("sil_orig")), fmt(f["nmi_ours"]), fmt(f.get("nmi_orig")), fmt(f.get("sil_audio_ours")),
          fmt(f.get("sil_audio_orig"))] for kind, name, f, _ in rows],
    )  # fmt: skip
    print("\n## Without audio features (Development Mode): the original has nothing to cluster")
    table(
        ["scope", "k ours", "sil ours", "NMI ours"],
        [[name_of(kind, name), f["k_ours"], fmt(f["sil_ours"]), fmt(f["nmi_ours"])] for kind, name, _, f in rows if f],
    )

    def wins(key_ours: str, key_orig: str) -> tuple[int, int, int]:
        pairs = [(f[key_ours], f.get(key_orig)) for *_, f, _ in rows if f.get(key_orig) is not None]
        pairs = [(a, b) for a, b in pairs if not (math.isnan(a) or math.isnan(b))]
        won = sum(a > b + 1e-9 for a, b in pairs)
        tied = sum(abs(a - b) <= 1e-9 for a, b in pairs)
        return won, tied, len(pairs) - won - tied

    def median(key: str, which: int = 2) -> float:
        values = [r[which][key] for r in rows if r[which] and r[which].get(key) is not None]
        values = [v for v in values if not math.isnan(v)]
        return statistics.median(values) if values else float("nan")

    print("\n## Summary")
    print(f"Scopes with a clusters page: {len(rows)} ({sum(r[0] == 'label' for r in rows)} labels, "
          f"{sum(r[0] == 'artist' for r in rows)} artists)")  # fmt: skip
    for label_, a, b in (
        ("silhouette (our feature space)", "sil_ours", "sil_orig"),
        ("silhouette (audio space)", "sil_audio_ours", "sil_audio_orig"),
        ("NMI with genre", "nmi_ours", "nmi_orig"),
    ):
        won, tied, lost = wins(a, b)
        print(f"- {label_}: ours better on {won}, tied on {tied}, worse on {lost} scopes; "
              f"median ours {median(a):.3f}, original {median(b):.3f}")  # fmt: skip
    print("  (NMI ties are scopes whose tracks all have one first genre: NMI is 0 for any clustering)")
    print(f"- without audio features: median silhouette {median('sil_ours', 3):.3f}, median NMI "
          f"{median('nmi_ours', 3):.3f}; the original clusters nothing")  # fmt: skip

    for workers, force in ((1, True), (2, True), (2, False)):
        t0, cpu0 = time.perf_counter(), cpu_seconds()
        result = services.recluster_all(force=force, workers=workers)
        how = "forced" if force else "data unchanged"
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        print(f"\nRecluster everything, {workers} process(es), {how}: {wall:.1f}s wall, {cpu:.1f}s CPU")
        print(f"  {result.summary()}")


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the forked workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def table(headers: list[str], rows: list[list]) -> None:
    print("| " + " | ".join(headers) + " |")
    print("|---" + "|---:" * (len(headers) - 1) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


# -- cost on big demo libraries ------------------------------------------------------------------


def demo_costs(sizes: list[int], full_tracks: int) -> None:
    import numpy as np

    from catalog.sources.demo import demo_bundles
    from clusters.clustering import cluster_tracks
    from clusters.features import AUDIO_FEATURES, TrackData, build_features

    print("\n## Features + clustering on demo libraries (in memory, no database)")
    print("| tracks | features s | clustering s | peak MiB (tracemalloc) | KiB per track |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        bundles = list(demo_bundles(tracks=n))
        # Each album and artist object comes once, with the first track that needs it.
        genres_by_artist, label_by_album = {}, {}
        for b in bundles:
            for a in b.artists:
                genres_by_artist[a["id"]] = tuple(sorted(a.get("genres") or ()))
            if b.album:
                label_by_album[b.album["id"]] = b.album.get("label") or ""
        audio = np.full((n, len(AUDIO_FEATURES)), np.nan)
        for i, b in enumerate(bundles):
            if b.features:
                audio[i] = [np.nan if b.features.get(f) is None else b.features[f] for f in AUDIO_FEATURES]
        data = TrackData(
            spotify_ids=[b.track["id"] for b in bundles],
            audio=audio,
            genres=[genres_by_artist.get(b.track["artists"][0]["id"], ()) for b in bundles],
            year=np.array([float(b.track["album"]["release_date"][:4]) for b in bundles]),
            duration_ms=np.array([float(b.track["duration_ms"]) for b in bundles]),
            explicit=np.array([float(b.track.get("explicit", False)) for b in bundles]),
            labels=[(label_by_album.get(b.track["album"]["id"], ""),) for b in bundles],
        )
        del bundles
        t0 = time.perf_counter()
        features = build_features(data, include_labels=True)
        t1 = time.perf_counter()
        cluster_tracks(features, data.spotify_ids)
        t2 = time.perf_counter()
        # A second pass for memory: tracemalloc slows every allocation, so it is not timed.
        del features
        tracemalloc.start()
        cluster_tracks(build_features(data, include_labels=True), data.spotify_ids)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"| {n:,} | {t1 - t0:.2f} | {t2 - t1:.2f} | {peak / 2**20:.0f} | {peak / 1024 / n:.2f} |")

    if full_tracks:
        from catalog.sources.demo import demo_load
        from clusters import services

        t0 = time.perf_counter()
        demo_load(tracks=full_tracks)
        print(f"\nLoaded a {full_tracks:,}-track demo library in {time.perf_counter() - t0:.0f}s")
        t0 = time.perf_counter()
        cpu0 = cpu_seconds()
        result = services.recluster_library(force=True)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        from clusters.models import ClusterRun

        run = ClusterRun.objects.get(scope="library", is_current=True)
        print(f"Library scope through the service: {elapsed:.1f}s wall, {cpu:.1f}s CPU ({run.timings}), k={run.k}, "
              f"silhouette {run.silhouette:.3f}; process peak RSS {rss:.0f} MiB — {result.summary()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "reference-library")
    parser.add_argument("--demo-tracks", type=int, default=100_000, help="size of the full demo run (0: skip)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-reference", action="store_true", help="only the demo-library costs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3", Path(tmp) / "media")
        print(f"Load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min), "
              f"{os.cpu_count()} cores")  # fmt: skip
        if not args.skip_reference:
            compare(args.reference)
        if not args.skip_demo:
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
            demo_costs([25_000, 50_000, 100_000], args.demo_tracks)
        print(f"\nLoad at the end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
