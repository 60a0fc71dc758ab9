"""The application shell: Litestar app, settings, database, CLI and exports.

`feedback` is the only package that wires things into the web framework; the domain packages
(`surveys`, `consent`, `analysis`) stay usable from a notebook or a batch job.
"""

import os

# Piccolo finds its configuration through this variable wherever the command is run from.
os.environ.setdefault("PICCOLO_CONF", "feedback.piccolo_conf")
