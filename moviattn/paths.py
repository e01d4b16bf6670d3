"""Configuration from the environment, resolved in one place for the app, the CLI and the library.

- ``MOVIATTN_DATA``: the review dataset folder (default: the shipped sample ``movie_data/``);
- ``MOVIATTN_MODEL``: the encoder, a hub id, a local path or ``offline`` (default ``DEFAULT_MODEL``);
- ``MOVIATTN_CACHE``: where converted models, results, fetched data and tokenised corpora are cached
  (default ``~/.cache/moviattn``; on a Space with persistent storage, ``/data/moviattn``); never inside the project;
- ``MOVIATTN_DATABASE_URL``: the feedback database, any SQLAlchemy URL (default: SQLite
  ``feedback.sqlite3`` in the cache folder, so on a Space its persistent folder where there is one);
- ``MOVIATTN_FEEDBACK_SALT``: the salt of the anonymous visitor keys (default: a random salt kept beside the
  default database, ``feedback.salt`` in the cache folder);
- ``MOVIATTN_NSMC_SOURCE``: where ``data fetch nsmc`` reads e9t/nsmc (a URL prefix or a local copy of the
  repository; default: the pinned commit on GitHub);
- ``SPACE_ID`` (set by Hugging Face Spaces): the app serves the real NSMC movies (``--data nsmc``);
- ``MOVIATTN_MALLOC_ARENAS``: glibc's malloc arenas for the app's server (default 2; 0 keeps glibc's own);
- ``GRADIO_SERVER_NAME``, ``GRADIO_SERVER_PORT``: where the app listens (Gradio's own names, default port 7860);
- ``HF_HUB_OFFLINE``, ``HF_ENDPOINT``: the Hugging Face hub client's own; read here to skip the hub (offline)
  or to probe the right host before a model download.

Every variable is read here and nowhere else; docs/configuration.md lists them with the order of precedence.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import DataError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "movie_data"
#: The NSMC-derived data beside a checkout (absent on a newcomer's machine and on Spaces).
SHARED_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
DEFAULT_MODEL = "klue/roberta-base"
#: glibc's malloc arenas for the app's server where ``$MOVIATTN_MALLOC_ARENAS`` does not say.
DEFAULT_MALLOC_ARENAS = 2
#: Gradio's port where ``$GRADIO_SERVER_PORT`` does not say.
DEFAULT_PORT = 7860
#: The hub ``$HF_ENDPOINT`` replaces (a mirror).
HUB_ENDPOINT = "https://huggingface.co"


#: A Space's persistent storage, where it has some (kept across restarts; the rest of a Space's disk is not).
SPACE_PERSISTENT_DIR = Path("/data")


def on_space() -> bool:
    """Whether this process runs on Hugging Face Spaces."""
    return bool(os.environ.get("SPACE_ID"))


def cache_dir(*parts: str) -> Path:
    """``$MOVIATTN_CACHE/<parts>`` (``~/.cache/moviattn`` if unset, ``/data/moviattn`` on a Space with
    persistent storage); not created here."""
    root = os.environ.get("MOVIATTN_CACHE")
    if not root and on_space() and SPACE_PERSISTENT_DIR.is_dir() and os.access(SPACE_PERSISTENT_DIR, os.W_OK):
        root = SPACE_PERSISTENT_DIR / "moviattn"
    return Path(root or Path.home() / ".cache" / "moviattn").expanduser().joinpath(*parts)


def default_data_dir() -> str:
    """``$MOVIATTN_DATA``, else ``nsmc`` (the real movies, fetched) on a Space, else the shipped sample."""
    return os.environ.get("MOVIATTN_DATA") or ("nsmc" if on_space() else str(SAMPLE_DATA_DIR))


def database_url() -> str:
    """``$MOVIATTN_DATABASE_URL``, else SQLite ``cache_dir("feedback.sqlite3")``."""
    return os.environ.get("MOVIATTN_DATABASE_URL") or f"sqlite:///{cache_dir('feedback.sqlite3')}"


def feedback_salt() -> str | None:
    """``$MOVIATTN_FEEDBACK_SALT``: the salt of visitor keys (None: the one kept in ``cache_dir("feedback.salt")``)."""
    return os.environ.get("MOVIATTN_FEEDBACK_SALT") or None


def nsmc_source() -> str | None:
    """``$MOVIATTN_NSMC_SOURCE``: another source for ``data fetch nsmc`` (None: the pinned commit on GitHub)."""
    return os.environ.get("MOVIATTN_NSMC_SOURCE") or None


def default_model() -> str:
    """``$MOVIATTN_MODEL`` or ``DEFAULT_MODEL``."""
    return os.environ.get("MOVIATTN_MODEL") or DEFAULT_MODEL


def malloc_arenas() -> int:
    """``$MOVIATTN_MALLOC_ARENAS`` or ``DEFAULT_MALLOC_ARENAS``: glibc's malloc arenas for the app's server
    (0 keeps glibc's default of up to 8 per core)."""
    return int(os.environ.get("MOVIATTN_MALLOC_ARENAS") or DEFAULT_MALLOC_ARENAS)


def server_name() -> str | None:
    """``$GRADIO_SERVER_NAME``: the interface the app listens on (None: Gradio's default, localhost)."""
    return os.environ.get("GRADIO_SERVER_NAME") or None


def server_port() -> int:
    """``$GRADIO_SERVER_PORT`` or ``DEFAULT_PORT``."""
    return int(os.environ.get("GRADIO_SERVER_PORT") or DEFAULT_PORT)


def hub_offline() -> bool:
    """Whether ``$HF_HUB_OFFLINE`` tells the hub client not to go online (1, true or yes)."""
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")


def hub_endpoint() -> str:
    """``$HF_ENDPOINT`` (a mirror of the hub) or ``HUB_ENDPOINT``."""
    return os.environ.get("HF_ENDPOINT") or HUB_ENDPOINT


def shared_data(name: str) -> Path | None:
    """``../shared/data/<name>`` beside the checkout where it exists (tests and training skip without it)."""
    path = SHARED_DATA_DIR / name
    return path if path.exists() else None


def refuse_to_overwrite(path: Path, force: bool, own: Callable[[Path], bool], what: str) -> None:
    """Stop before replacing an existing file that ``own`` does not recognise as ``what`` (a previous output
    of the same command, which it may replace or resume), unless ``force``: a mistyped ``--out`` must
    not destroy someone's notes or a system file."""
    if force or not path.exists():
        return
    if path.is_file() and own(path):
        return
    raise DataError(str(path), f"exists and is not {what}; not overwriting it (choose another path, or add --force)")


def starts_with(path: Path, prefix: bytes) -> bool:
    """Whether the file's first bytes are ``prefix`` (a PNG signature, a CSV header)."""
    try:
        with path.open("rb") as f:
            return f.read(len(prefix)) == prefix
    except OSError:
        return False



def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename, so an interrupted write
    never leaves half a file; the file is readable by all, like any other output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as tmp:
        tmp.write(text)
    os.chmod(tmp.name, 0o644)  # a temp file is private; the output is not
    os.replace(tmp.name, path)
    return path
