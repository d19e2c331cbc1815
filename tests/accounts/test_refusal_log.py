"""A refusal is logged as one line (who, what, why) with no traceback; a real error keeps it."""

from __future__ import annotations

import logging
import sys

import pytest

from accounts.roles import Role
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def standins(settings):
    settings.ROOT_URLCONF = "tests.standins.views"


def request_records(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_refused_page_is_one_line_naming_who_what_and_why(client, make_user, standins, caplog):
    administrator = make_user(Role.SYSTEM_ADMINISTRATOR)
    sign_in(client, administrator)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/standin/notes/1/?q=Smith")
    assert response.status_code == 403
    (record,) = request_records(caplog)
    line = record.getMessage()
    assert line == (
        f"Refused 403: user {administrator.pk} ({administrator.username}) asked for "
        "GET /standin/notes/1/: Your role does not give access to case records."
    )
    assert record.exc_info is None and "Traceback" not in caplog.text
    assert "Smith" not in caplog.text  # the query string (a searched name) is never logged


def test_a_gate_404_says_why(client, make_user, standins, caplog):
    practitioner = make_user(Role.PRACTITIONER)
    sign_in(client, practitioner)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/standin/notes/999/").status_code == 404
        assert client.get("/standin/other/").status_code == 404
    first, second = (record.getMessage() for record in request_records(caplog))
    assert first == (
        f"Refused 404: user {practitioner.pk} ({practitioner.username}) asked for "
        "GET /standin/notes/999/: No SealedNote matches the given query."
    )
    assert second.endswith("asked for GET /standin/other/: Not found")
    assert "\n" not in first + second


def test_a_refusal_before_sign_in_names_nobody(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from accounts.refusals import OneLineRefusals

    request = rf.post("/sign-in/security-code/")
    request.user = AnonymousUser()
    try:
        raise PermissionDenied("Sign in first.")
    except PermissionDenied:
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden (Permission denied): %s",
            (request.path,), sys.exc_info(),
        )  # fmt: skip
    record.status_code, record.request = 403, request
    assert OneLineRefusals().filter(record)
    assert record.getMessage() == (
        "Refused 403: anonymous asked for POST /sign-in/security-code/: Sign in first."
    )
    assert record.exc_info is None


def test_a_real_error_keeps_its_traceback(client, make_user, standins, caplog):
    sign_in(client, make_user(Role.PRACTITIONER))
    client.raise_request_exception = False
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/standin/broken/").status_code == 500
    (record,) = request_records(caplog)
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
    assert "Traceback" in caplog.text
