from __future__ import annotations

import pytest

from tests.processes import start_django_process  # noqa: F401  # a fixture, used by its name


@pytest.fixture(autouse=True)
def _worker_in_the_test_transaction(monkeypatch, settings, tmp_path):
    """The library's worker closes stale connections between tasks, which would close the test
    database's; and the anchor job writes to a file of this test's."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "anchors.jsonl")
