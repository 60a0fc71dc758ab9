"""Lets `python -m feedback` work like the `feedback` command."""
import sys

from feedback.cli import main

sys.exit(main())
