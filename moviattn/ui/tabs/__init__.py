"""One module per tab: each defines ``TITLE`` and ``build(...)`` (layout, event wiring and handlers)."""
