"""``python -m moviattn``: see moviattn.cli."""

from .cli import main_exit

main_exit()
