"""Constants shared by the pure clustering code and the database reads, importable without
scikit-learn (pages and the export read runs; only reclustering needs the heavy imports)."""

# Representative tracks shown per cluster: the ones nearest its centre.
NEAREST = 10
