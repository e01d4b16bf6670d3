"""``moviattn.explorer`` is the one way into the explorer: no file outside ``moviattn/explorer`` and ``tests/explorer``
imports an explorer module, names a name the door does not export, or patches an explorer path by string."""

from __future__ import annotations

import ast
from pathlib import Path

import moviattn.explorer as door

ROOT = Path(__file__).resolve().parents[2]
#: Inside the house: the explorer itself and its own tests.
INSIDE = ("moviattn/explorer/", "tests/explorer/")
DOOR = "moviattn.explorer"


def _outside_files() -> list[Path]:
    return [path for folder in ("moviattn", "tests", "benchmarks") for path in sorted((ROOT / folder).rglob("*.py"))
            if not path.relative_to(ROOT).as_posix().startswith(INSIDE)]


def _package(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1]


def back_doors(path: Path) -> list[str]:
    """Every way ``path`` reaches past the door: ``file:line: what``."""
    found, rel = [], path.relative_to(ROOT).as_posix()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = _package(path)[: len(_package(path)) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            if module.startswith(DOOR + "."):
                found.append(f"{rel}:{node.lineno}: from {module}")
            elif module == DOOR:
                found += [f"{rel}:{node.lineno}: {DOOR}.{a.name} (not in the door's _EXPORTS)" for a in node.names if a.name not in door._EXPORTS]
        elif isinstance(node, ast.Import):
            found += [f"{rel}:{node.lineno}: import {a.name}" for a in node.names if a.name.startswith(DOOR + ".")]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith((DOOR + ".", "explorer.")):
            found.append(f"{rel}:{node.lineno}: {node.value!r}")
    return found


def test_nothing_outside_reaches_past_the_door():
    found = [line for path in _outside_files() for line in back_doors(path)]
    assert found == [], "import these names from moviattn.explorer (add them to its _EXPORTS):\n" + "\n".join(found)


def test_the_scan_sees_each_way_in(tmp_path, monkeypatch):
    sample = ROOT / "moviattn" / "ui" / "_door_probe.py"  # never written: parsed from a string below
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: (
        "from ..explorer.settings import Settings\nimport moviattn.explorer.pipeline\nfrom ..explorer import settings, Settings\n"
        "patch = 'moviattn.explorer.pipeline.segment_units'\nLAZY = {'Settings': 'explorer.settings'}\n"))
    assert len(back_doors(sample)) == 5


def test_every_door_name_opens():
    for name in door._EXPORTS:
        assert getattr(door, name) is not None, name
