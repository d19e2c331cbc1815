"""The job worker: enqueue the periodic jobs that are due, run every waiting task, repeat."""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from jobs.schedule import enqueue_due


class Command(BaseCommand):
    help = (
        "Run the job worker: every --interval seconds, enqueue the periodic jobs that are due "
        "(once across all servers) and run the waiting tasks (django-tasks-db's worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME)
        parser.add_argument(
            "--once", action="store_true", help="One round (enqueue, run what waits), then exit."
        )

    def handle(self, *args, interval: float, queue_name: str, once: bool, **options) -> None:
        # Batch mode: the library's worker runs what is waiting, then returns to this loop.
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        # The library's worker logs each batch's start and end: noise every few seconds.
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        caught = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
        previous = {number: signal.getsignal(number) for number in caught}
        worker.configure_signals()  # SIGTERM: finish the running task, then stop
        try:
            while worker.running:
                for name in enqueue_due():
                    self.stdout.write(f"Enqueued {name}")
                worker.run()
                if once:
                    return
                time.sleep(interval)
        finally:  # the caller's handlers again (a test process, call_command)
            for number, handler in previous.items():
                signal.signal(number, handler)
