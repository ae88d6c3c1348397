"""/spotify/connect/ and /spotify/callback/ (the refresh issue fills these in)."""

app_name = "spotify"

urlpatterns: list = []
