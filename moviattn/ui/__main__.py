"""``python -m moviattn.ui``: serve the app."""

from . import main

main()
