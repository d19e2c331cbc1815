"""Notify's settings are checked at start-up, and the notifications jobs run on the job
runner's schedule (issue 24)."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import SCHEDULES
from tests.notify_server import TEMPLATE_IDS
from tests.test_settings import run_django


def test_the_notifications_jobs_are_registered():
    assert SCHEDULES["notifications.tasks.send_notifications"].every == timedelta(minutes=2)
    assert SCHEDULES["notifications.tasks.queue_digests_and_escalations"].every == timedelta(
        minutes=15
    )


def test_notify_without_a_key_or_a_template_id_refuses_to_start(tmp_path):
    no_key = run_django(["check"], tmp_path, NOTIFICATIONS_BACKEND="notify")
    assert no_key.returncode != 0
    assert "NOTIFY_API_KEY (or NOTIFY_API_KEY_FILE) must be a GOV.UK Notify API key" in (
        no_key.stderr
    )
    key = f"key-{TEMPLATE_IDS['digest']}-{TEMPLATE_IDS['notice']}"
    some = ",".join(f"{name}={value}" for name, value in TEMPLATE_IDS.items() if name != "digest")
    missing = run_django(
        ["check"], tmp_path, NOTIFICATIONS_BACKEND="notify", NOTIFY_API_KEY=key,
        NOTIFY_TEMPLATE_IDS=some,
    )  # fmt: skip
    assert missing.returncode != 0
    assert "NOTIFY_TEMPLATE_IDS has no id for: digest" in missing.stderr
    unknown = run_django(["check"], tmp_path, NOTIFICATIONS_BACKEND="pigeon")
    assert 'NOTIFICATIONS_BACKEND must be "notify" or "email"' in unknown.stderr
