"""Periodic jobs: enqueued once per schedule, however many processes run the scheduler."""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs.models import PeriodicJob
from jobs.schedule import SCHEDULES, enqueue_due, recording_run
from jobs.status import job_statuses
from tests.processes import output_of

JOBS = {
    "accounts.tasks.expire_grants",
    "accounts.tasks.purge_drafts",
    "accounts.tasks.anchor_audit",
    "accounts.tasks.apply_account_changes",
}


def enqueued() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_the_accounts_jobs_are_registered_from_their_tasks_module():
    assert set(SCHEDULES) >= JOBS
    assert SCHEDULES["accounts.tasks.expire_grants"].every == timedelta(minutes=15)
    assert SCHEDULES["accounts.tasks.purge_drafts"].every == timedelta(hours=1)
    assert SCHEDULES["accounts.tasks.apply_account_changes"].every == timedelta(minutes=5)


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_per_period():
    now = timezone.now()
    assert set(enqueue_due(now=now)) >= JOBS
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)  # the worker ran them
    assert enqueue_due(now=now + timedelta(minutes=1)) == []  # claimed until the next period
    later = enqueue_due(now=now + timedelta(minutes=16))
    assert "accounts.tasks.expire_grants" in later
    assert "accounts.tasks.purge_drafts" not in later
    assert enqueued().count("accounts.tasks.expire_grants") == 2


@pytest.mark.django_db
def test_runs_do_not_pile_up_while_the_worker_is_stopped():
    now = timezone.now()
    enqueue_due(now=now)
    enqueue_due(now=now + timedelta(hours=5))  # the first runs still wait
    assert enqueued().count("accounts.tasks.expire_grants") == 1


@pytest.mark.django_db
def test_the_worker_runs_the_jobs_and_records_their_last_run():
    call_command("run_worker", "--once")
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    statuses = {status.name: status for status in job_statuses()}
    assert all(statuses[name].last_run and statuses[name].healthy for name in JOBS)
    call_command("job_status")  # exits 0


@pytest.mark.django_db
def test_a_failing_job_shows_its_last_failure_without_its_message():
    name = "accounts.tasks.purge_drafts"
    PeriodicJob.objects.create(name=name, next_run_at=timezone.now())
    with pytest.raises(ValueError), recording_run(name):
        raise ValueError("a child's name")
    job = PeriodicJob.objects.get(name=name)
    assert job.last_failed_at and job.last_failure == "ValueError"
    status = {status.name: status for status in job_statuses()}[name]
    assert status.failing and not status.healthy
    with pytest.raises(CommandError, match=r"Needs a look: .*purge_drafts"):
        call_command("job_status")


@pytest.mark.django_db
def test_a_job_not_run_for_two_periods_is_late():
    name = "accounts.tasks.expire_grants"
    long_ago = timezone.now() - timedelta(hours=1)
    PeriodicJob.objects.create(name=name, next_run_at=long_ago, last_succeeded_at=long_ago)
    assert {status.name: status for status in job_statuses()}[name].late


@pytest.mark.django_db
def test_healthz_shows_each_jobs_last_run_and_failure(client, django_assert_max_num_queries):
    call_command("run_worker", "--once")
    # The database check, then the job rows.
    with django_assert_max_num_queries(2):
        response = client.get("/healthz")
    assert response.status_code == 200
    jobs = response.json()["jobs"]
    assert set(jobs) >= JOBS
    assert jobs["accounts.tasks.expire_grants"]["last_run"]
    assert jobs["accounts.tasks.expire_grants"]["last_failure"] is None


# Each process waits for the same moment, then runs the scheduler once.
SCHEDULE_AT = """
import signal
import time
from jobs.schedule import enqueue_due
time.sleep(max(0, {start} - time.time()))
print(",".join(enqueue_due()))
"""


def test_a_periodic_job_started_on_two_processes_at_once_runs_once(start_django_process):
    start = time.time() + 4  # both processes set up Django first
    processes = [start_django_process(SCHEDULE_AT.format(start=start)) for _ in range(2)]
    claimed = [name for process in processes for name in output_of(process).strip().split(",")]
    assert sorted(filter(None, claimed)) == sorted(SCHEDULES)
    assert enqueued() == sorted(SCHEDULES)


@pytest.mark.django_db
def test_run_worker_gives_back_the_callers_signal_handlers():
    before = signal.getsignal(signal.SIGTERM)
    call_command("run_worker", "--once")
    assert signal.getsignal(signal.SIGTERM) is before
