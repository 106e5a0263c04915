"""`python -m commit_kg` runs the CLI."""

import sys

from .cli import main

sys.exit(main())
