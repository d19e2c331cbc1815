"""The request's audit context: who, from where, in one transaction, audit entries written last."""

from __future__ import annotations

import uuid

from auditlog.cid import correlation_id
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.urls import reverse

from accounts.audit import entries_written_last, record_refusal

# Paths that must answer without the database (the load balancer's health check).
_WITHOUT_TRANSACTION = frozenset({"/healthz"})


class AuditMiddleware(AuditlogMiddleware):
    """Runs the request in one transaction and appends its audit entries last, so that the
    chain lock is held only for a moment; records refused reads of case URLs.

    The client address is `REMOTE_ADDR`, or the header named by `AUDIT_CLIENT_ADDRESS_HEADER`
    when a proxy that always overwrites that header is configured (never X-Forwarded-For's
    first value, which the client chooses).
    """

    @staticmethod
    def _get_remote_addr(request):
        header = settings.AUDIT_CLIENT_ADDRESS_HEADER
        if header:
            return request.headers.get(header) or None
        return request.META.get("REMOTE_ADDR") or None

    @staticmethod
    def _get_remote_port(request):
        return None

    def __call__(self, request):
        if request.path_info in _WITHOUT_TRANSACTION:
            return self.get_response(request)
        # A correlation id of our own for the request's entries (never the client's header).
        correlation_id.set(uuid.uuid4().hex)
        with (
            transaction.atomic(),
            entries_written_last() as pending,
            set_extra_data(context_data=self.get_extra_data(request)),
        ):
            response = self.get_response(request)
            if response.status_code >= 500:
                # Django turned an exception into this page: nothing of the request is kept,
                # its audit entries included (they describe changes that are undone).
                transaction.set_rollback(True)
                pending.clear()
            else:
                self._record_refusal(request, response)
        return response

    @staticmethod
    def _record_refusal(request, response) -> None:
        match = getattr(request, "resolver_match", None)
        view = getattr(match, "func", None)
        model = getattr(view, "audited_model", None)
        if response.status_code in (403, 404) and model is not None and match is not None:
            record_refusal(
                request,
                response.status_code,
                model=model,
                object_pk=str(match.kwargs.get("pk", "")),
            )


# The pages a signed-in user may reach before proving the second factor.
BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:sign-in",
        "accounts:sign-out",
        "accounts:signed-out",
        "accounts:second-factor",
        "accounts:enrol",
        "accounts:password-reset",
        "accounts:password-reset-done",
        "accounts:password-reset-confirm",
        "accounts:password-reset-complete",
        "accounts:account-change-report",
        "healthz",
    }
)


class SecondFactorRequiredMiddleware:
    """No page but sign-in, enrolment, sign-out, password reset and /healthz without the second
    factor (after django-otp's OTPMiddleware and Django's LoginRequiredMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in BEFORE_SECOND_FACTOR:
            return None
        return redirect_to_login(request.get_full_path(), reverse("accounts:second-factor"), "next")
