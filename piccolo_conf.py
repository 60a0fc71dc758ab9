# Lets the `piccolo` command line find the project's configuration from the repository root.
from feedback.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
