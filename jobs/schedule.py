"""Periodic jobs on Django's tasks framework: each runs once per schedule, however many
processes run the scheduler.

Adding one is one decorator in an app's `tasks.py` (found at start-up, jobs.apps):

    @periodic_task(every=timedelta(minutes=15))
    def expire_grants() -> int:
        return sharing.expire_grants()

A one-off task is django-tasks' own decorator, `@task()`, enqueued with `.enqueue(...)` after
the transaction commits; `manage.py run_worker` runs both kinds.

Every scheduler (one per worker process, on every app server) calls `enqueue_due()` between
tasks. A run is claimed by one conditional UPDATE that moves the job's `next_run_at` forward:
the database lets exactly one process's UPDATE match, and only that process enqueues. The claim
and the enqueued task commit together, so a crash between them loses neither.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from jobs.models import PeriodicJob

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Schedule:
    name: str
    task: Task[Any, Any]
    every: timedelta


SCHEDULES: dict[str, Schedule] = {}


def periodic_task(
    *, every: timedelta, queue_name: str = "default", priority: int = 0
) -> Callable[[Callable[P, T]], Task[P, T]]:
    """Make `function` a task that the scheduler enqueues every `every`, recording each run."""

    def decorate(function: Callable[P, T]) -> Task[P, T]:
        name = f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def recorded(*args: P.args, **kwargs: P.kwargs) -> T:
            with recording_run(name):
                return function(*args, **kwargs)

        the_task = task(queue_name=queue_name, priority=priority)(recorded)
        SCHEDULES[name] = Schedule(name=name, task=the_task, every=every)
        return the_task

    return decorate


@contextmanager
def recording_run(name: str) -> Iterator[None]:
    """Record when a job started, and whether it succeeded or failed (the class of error only)."""
    jobs = PeriodicJob.objects.filter(name=name)
    jobs.update(last_started_at=timezone.now())
    try:
        yield
    except Exception as error:
        jobs.update(last_failed_at=timezone.now(), last_failure=type(error).__name__)
        raise
    jobs.update(last_succeeded_at=timezone.now())


def enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue every job whose time has come and that this process claims; return their names."""
    now = now or timezone.now()
    enqueued = []
    for schedule in SCHEDULES.values():
        if _claim_and_enqueue(schedule, now):
            enqueued.append(schedule.name)
    return enqueued


def _claim_and_enqueue(schedule: Schedule, now: datetime) -> bool:
    # A new job is due at once (two processes creating its row: one wins, the other reads it).
    PeriodicJob.objects.get_or_create(name=schedule.name, defaults={"next_run_at": now})
    with transaction.atomic():
        claimed = PeriodicJob.objects.filter(name=schedule.name, next_run_at__lte=now).update(
            next_run_at=now + schedule.every
        )
        if not claimed:
            return False
        job = PeriodicJob.objects.get(name=schedule.name)
        if _still_waiting(job.last_result_id):
            # The worker has not taken the last run yet (stopped?): one waiting run is enough.
            return False
        result = schedule.task.enqueue()
        PeriodicJob.objects.filter(name=schedule.name).update(
            last_result_id=str(result.id), last_enqueued_at=now
        )
    return True


def _still_waiting(result_id: str) -> bool:
    if not result_id:
        return False
    waiting = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
    return DBTaskResult.objects.filter(id=result_id, status__in=waiting).exists()
