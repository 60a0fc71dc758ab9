"""Workspace routes: surveys (`/workspace/surveys/…`), the builder (`/workspace/builder/…`) and the
API (`/api/…`)."""
