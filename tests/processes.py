"""Fresh Django processes on the test database: what two app servers (or two gunicorn workers)
would share, seen from outside this one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# Redis database 5 is this suite's (CI and every developer machine run Redis on 6379).
REDIS_URL = "redis://127.0.0.1:6379/5"
REDIS_CACHE_URL = "rediscache://127.0.0.1:6379/5"


def test_database_url() -> str:
    """DATABASE_URL of the test database this test runs on (committed data: transactional_db)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


test_database_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def process_environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    environment.update({"DATABASE_URL": test_database_url(), "PYTHONPATH": str(ROOT), **extra})
    return environment


@pytest.fixture
def start_django_process(
    django_db_serialized_rollback, transactional_db
) -> Callable[..., subprocess.Popen[str]]:
    """Start `code` in a new Python process with Django set up on the test database.

    Committed data (transactional_db), restored afterwards as it was (serialized rollback), as
    the suite's other transactional tests expect to find it."""
    started: list[subprocess.Popen[str]] = []

    def start(code: str, **environment: str) -> subprocess.Popen[str]:
        preamble = "import django; django.setup()\n"
        process = subprocess.Popen(  # noqa: S603  # our own interpreter and code
            [sys.executable, "-c", preamble + code],
            cwd=ROOT,
            env=process_environment(**environment),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def output_of(process: subprocess.Popen[str], timeout: float = 120) -> str:
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    return stdout
