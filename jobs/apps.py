from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Every app's `tasks` module registers its periodic jobs (jobs.schedule.periodic_task).
        autodiscover_modules("tasks")
