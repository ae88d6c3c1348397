"""Sources of library data: each turns what it reads into spotipy-shaped dicts written by
``catalog.services.library_upsert`` (spotify-stats CSV folder, Exportify CSV files, the demo
generator, the Spotify Web API)."""
