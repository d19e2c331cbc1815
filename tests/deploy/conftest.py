from __future__ import annotations

from tests.processes import start_django_process  # noqa: F401  # a fixture, used by its name
