"""Publishing routes: the public pages, `/workspace/updates/…` and a survey's quote review."""
