"""The systemd units pass `systemd-analyze verify` (installed by .ci/run: Debian's systemd)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def test_there_is_a_unit_for_the_web_service_and_one_for_the_job_worker():
    assert [unit.name for unit in UNITS] == [
        "front-door-web.service",
        "front-door-worker.service",
    ]


def installed_units(tmp_path: Path) -> list[Path]:
    """The units as installed with the code at this checkout instead of /srv/front-door."""
    installed = []
    for unit in UNITS:
        target = tmp_path / unit.name
        target.write_text(unit.read_text().replace("/srv/front-door", str(ROOT)))
        installed.append(target)
    return installed


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is missing: apt-get install systemd", pytrace=False)
    return found


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    result = subprocess.run(  # noqa: S603  # a fixed tool on our own files
        [systemd_analyze(), "verify", *map(str, installed_units(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "front-door" not in result.stderr  # no warning about our units either


def test_systemd_analyze_verify_would_catch_a_broken_unit(tmp_path):
    worker = installed_units(tmp_path)[1]
    worker.write_text(worker.read_text().replace(".venv/bin/python", ".venv/bin/no-python"))
    result = subprocess.run(  # noqa: S603  # a fixed tool on our own files
        [systemd_analyze(), "verify", str(worker)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "not executable" in result.stderr
