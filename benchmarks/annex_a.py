"""Benchmark: Ofsted's Annex A (issue 22). Not a test: prints figures for the issue note.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fd_annex_a .venv/bin/python benchmarks/annex_a.py

In the harness's kept test database (test_<name>), seeded by its bulk path
(`harness.seed_census_year`, as benchmarks/census.py: 1,000 children in need in 2023-24 and
10,000 in 2024-25), Annex A for each of those years: the time to write the whole workbook
(best and worst of EXPORT_RUNS, and this process's CPU seconds, the machine's load aside), its
queries, rows and size, and the peak of Python's memory in a separate traced run. The
workbook streams (XlsxWriter's constant_memory), so the peak should not grow with the rows.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # after the path and settings are set

django.setup()


from benchmarks import harness  # noqa: E402  # needs setup()
from referrals.models import Child  # noqa: E402  # needs setup()
from returns.annex_a import write_annex_a  # noqa: E402  # needs setup()

YEARS = {2024: 1_000, 2025: 10_000}


def main() -> None:
    with harness.bench_database() as worker:
        for year, children in YEARS.items():
            if not Child.objects.filter(last_name=f"Census{year}").exists():
                harness.seed_census_year(worker, year=year, children=children)
        print(f"Ofsted Annex A, {harness.EXPORT_RUNS} runs (peak memory in a separate traced run):")
        print(f"  {'period':<26} {'in need':>8} {'best':>8} {'worst':>8} {'CPU':>8} "
              f"{'queries':>8} {'rows':>8} {'peak':>9} {'file':>9}")  # fmt: skip
        for year, children in YEARS.items():
            start, end = date(year - 1, 4, 1), date(year, 3, 31)

            def make(path: str, start=start, end=end) -> int:
                return write_annex_a(path, start=start, end=end)

            best, worst, cpu, queries, rows, peak, size = harness.measure_export(make)
            print(f"  {start:%d/%m/%Y} to {end:%d/%m/%Y}   {children:>8,} {best:7.2f}s "
                  f"{worst:7.2f}s {cpu:7.2f}s {queries:>8} {rows:>8,} {peak:6.1f}MiB "
                  f"{size / 2**20:6.1f}MiB")  # fmt: skip
        print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
