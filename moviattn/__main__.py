"""``python -m moviattn``: see moviattn.cli."""

import sys

from .cli import main

sys.exit(main())
