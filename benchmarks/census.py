"""Benchmark: the CIN census XML (issue 22). Not a test: prints figures for the issue note.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fd_census .venv/bin/python benchmarks/census.py

In the harness's kept test database (test_<name>), seeded by its bulk path
(`harness.seed_census_year`): 1,000 children in need in 2023-24 and 10,000 in 2024-25. Side by
side in one run, the census of each year: the time to write it (best of RUNS), its queries and
size, and the peak of Python's memory (tracemalloc, in a separate run: it slows Python down)
while the file is written, and with the audit entry, which lists the ids of the children
exported. The census streams, so the first should not grow with the number of children.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # after the path and settings are set

django.setup()

from django.db import connection, reset_queries  # noqa: E402  # needs setup()
from django.test import override_settings  # noqa: E402  # needs setup()
from django.test.utils import CaptureQueriesContext  # noqa: E402  # needs setup()

from benchmarks import harness  # noqa: E402  # needs setup()
from referrals.models import Child  # noqa: E402  # needs setup()
from returns.census import write_census  # noqa: E402  # needs setup()

YEARS = {2024: 1_000, 2025: 10_000}
RUNS = int(os.environ.get("RUNS", "3"))


def main() -> None:
    with harness.bench_database() as worker:
        for year, children in YEARS.items():
            if not Child.objects.filter(last_name=f"Census{year}").exists():
                harness.seed_census_year(worker, year=year, children=children)
        print(f"The CIN census, best of {RUNS} runs (peak memory in a separate traced run):")
        print(f"  {'year':<8} {'children':>9} {'seconds':>8} {'queries':>8} {'MB file':>8} "
              f"{'peak MB writing':>16} {'peak MB with audit':>19}")  # fmt: skip
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "census.xml"
            for year in YEARS:
                timings = []
                for _ in range(RUNS):
                    with path.open("wb") as out, CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        written = write_census(out, year=year)
                        timings.append(time.perf_counter() - started)
                size = path.stat().st_size / 1e6
                query_count = len(queries.captured_queries)
                # As in production: DEBUG off, so the connection keeps no log of the queries.
                reset_queries()
                tracemalloc.start()
                written_peak = []
                with override_settings(DEBUG=False), path.open("wb") as out:
                    # The last progress call comes after the last child, before the audit entry.
                    write_census(out, year=year, progress=lambda done, total, peaks=written_peak:
                                 peaks.append(tracemalloc.get_traced_memory()[1]))  # fmt: skip
                peak = tracemalloc.get_traced_memory()[1] / 1e6
                tracemalloc.stop()
                print(f"  {year:<8} {written:>9,} {min(timings):>8.2f} "
                      f"{query_count:>8} {size:>8.1f} "
                      f"{written_peak[-1] / 1e6:>16.1f} {peak:>19.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
