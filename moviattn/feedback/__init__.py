"""Feedback that lasts: slates and reactions kept in a database, re-ranking by them, off-policy evaluation.

Kept apart as RecBole keeps its parts: ``data`` (what a slate and a reaction are), ``store`` (the database,
SQLAlchemy 2 + Alembic), ``policies`` (static baseline, Thompson sampling), ``estimators`` (IPS, SNIPS, DR),
``service`` (one request → slate → reaction path for the app and the simulation), ``simulation`` and ``cli``.
"""
