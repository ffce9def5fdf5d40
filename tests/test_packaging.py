"""``pip install .`` (a real wheel, not an editable install) ships the KB and the console command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_the_knowledge_base_and_entry_point(tmp_path: Path) -> None:
    # when a wheel is built the way `pip install .` builds it
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    [wheel] = tmp_path.glob("k8sfix-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    # then every KB file travels inside the package, with the templates
    kb_files = sorted(p.name for p in (ROOT / "knowledge").glob("*.yaml"))
    shipped = sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("bot/knowledge/") and n.endswith(".yaml"))
    assert shipped == kb_files
    assert "bot/render/templates/answer.txt.j2" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "k8sfix = bot.cli.main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
