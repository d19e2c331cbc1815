"""No input ever produces a 500: every page of the case work, with the demo data loaded, is
fetched and posted to (empty and with nonsense) by each role; every answer is below 500."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from tests.conftest import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]

USERS = ["practitioner", "manager", "chair", "police", "lado", "auditor", "sysadmin"]
NONSENSE = {
    "action": "sign_off", "outcome": "nonsense", "rationale": "x" * 20, "comment": "",
    "agency": "999999", "agencies": ["abc"], "children": ["-1"], "reason": "",
    "held_on_0": "31", "held_on_1": "2", "held_on_2": "20x6", "version": "not-a-number",
    "factors": ["99Z"], "next_steps": "nfa", "primary_need": "N1", "text": "",
    "priority": "purple", "answer": "", "format": "fax", "chair": "nobody",
}  # fmt: skip


CASE_NAMESPACES = {"referrals", "strategy", "quality", "reports"}


def case_paths() -> list[tuple[str, str]]:
    """(name, pattern) of every page of the referrals and strategy apps."""
    found = []

    def walk(patterns, prefix="", namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and namespace in CASE_NAMESPACES:
                found.append((f"{namespace}:{entry.name}", prefix + str(entry.pattern)))

    walk(get_resolver().url_patterns)
    return found


def concrete(pattern: str, pk: int) -> str:
    # A report's slug and download format: a real one, so the page behind them is reached.
    pattern = re.sub(r"<slug:\w+>", "no-further-action", pattern)
    pattern = re.sub(r"<str:fmt>", "csv", pattern)
    return "/" + re.sub(r"<int:\w+>", str(pk), pattern)


def test_no_page_answers_with_a_server_error(client, settings):
    settings.DEBUG = True
    call_command("load_demo", history_children=0, stdout=StringIO())
    paths = case_paths()
    assert len(paths) > 40
    client.raise_request_exception = False  # a 500 is collected, not raised
    failures = []
    for username in USERS:
        sign_in(client, User.objects.get(username=username))
        for name, pattern in paths:
            for pk in (1, 3, 999999):
                url = concrete(pattern, pk)
                for method, data in (("get", None), ("post", {}), ("post", NONSENSE)):
                    response = getattr(client, method)(url, data)
                    if response.status_code >= 500:
                        failures.append(f"{username} {method.upper()} {url} ({name})")
                if "<int:" not in pattern:
                    break
    assert failures == [], "\n".join(failures)
