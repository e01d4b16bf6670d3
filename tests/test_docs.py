"""The README as a front door (Spaces front matter, at most 150 lines, links that resolve) and the docs site
(every page in the navigation; ``mkdocs build --strict`` where MkDocs is installed, as CI runs it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_readme_is_a_short_front_door_with_the_spaces_front_matter():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150
    end = lines.index("---", 1)
    front = "\n".join(lines[1:end])
    assert lines[0] == "---" and "sdk: gradio" in front and "app_file: app.py" in front
    after = "\n".join(lines[end + 1 : end + 40])  # the first screen: what it is, the two commands, a screenshot, the tabs
    assert "python app.py" in after and "python -m pytest" in after and "![" in after and "| tab |" in after


def test_readme_links_resolve_and_every_docs_page_is_in_the_site_navigation():
    targets = [t for t in LINK.findall(README.read_text(encoding="utf-8")) if "://" not in t]
    assert targets and all((REPO / t).exists() for t in targets), [t for t in targets if not (REPO / t).exists()]
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(p.name for p in DOCS.glob("*.md"))
    assert [p for p in pages if f": {p}" not in nav] == []
    assert {"deploy.md", "report.md", "sentiment.md", "diary.md", "session.md", "performance.md"} <= set(pages)


@pytest.mark.slow
def test_docs_site_builds_strictly(tmp_path):
    pytest.importorskip("material", reason="mkdocs-material is not installed (requirements-docs.txt)")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stderr[-2000:]
    assert (tmp_path / "site" / "report" / "index.html").exists()
