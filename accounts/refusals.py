"""Refusals logged as one line: who, what, why; tracebacks only for real errors.

A refused request (PermissionDenied, Http404 from the access gate) is the system working, not
a fault: Django logs a 403 with its whole traceback, and a 404 with neither who nor why. The
filter on the `django.request` logger rewrites both into one line: the user's number and
username, the method and path (never the query string, which may hold a searched name), and
the refusal's own message (a rule in plain words, never a child's details). Every other record,
a 500's traceback included, passes unchanged.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

_REFUSED = (PermissionDenied, Http404)
_REFUSAL_ATTRIBUTE = "_front_door_refusal"


class RememberRefusalMiddleware:
    """Keeps the view's refusal on the request, for the log line's "why" (a 404 is logged
    after its exception is gone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, _REFUSED):
            setattr(request, _REFUSAL_ATTRIBUTE, exception)


def _who(request: HttpRequest | None) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return f"user {user.pk} ({user.get_username()})"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class OneLineRefusals(logging.Filter):
    """Turns django.request's records of 403 and 404 answers into one line without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[1] if record.exc_info else None
        status = getattr(record, "status_code", None)
        if status not in (403, 404):
            return True
        if exception is not None and not isinstance(exception, _REFUSED):
            return True
        request = getattr(record, "request", None)
        refusal = exception or getattr(request, _REFUSAL_ATTRIBUTE, None)
        why = _one_line(str(refusal or "")) or ("Not found" if status == 404 else "Forbidden")
        what = f"{request.method} {request.path}" if request is not None else "(no request)"
        record.msg = "Refused %s: %s asked for %s: %s"
        record.args = (status, _who(request), what, why)
        record.exc_info = None
        record.exc_text = None
        return True
