"""Recommenders: the diary wing (``diary/``) and the session-based next-movie wing (``session/``)."""
