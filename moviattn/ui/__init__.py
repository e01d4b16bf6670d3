"""The Gradio app: ``page`` (layout and launch), ``state`` (what a server holds), ``panel`` (the settings
panel), ``common`` (errors as messages, downloads) and one module per tab in ``tabs``.

Imported only by the app: the library and the CLI work without Gradio.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> None:
    """Serve the app (``python app.py``, ``python -m moviattn.ui``)."""
    from .page import main as serve

    serve(argv)
