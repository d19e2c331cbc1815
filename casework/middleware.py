"""The restricted-record middleware: a case page about a restricted child that is not open to
the user raises `casework.access.RestrictedRecord`; this sends them to the break-glass page."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from accounts.audit import Event, record_event
from casework.access import RestrictedRecord
from casework.references import child_reference
from referrals.models import Child


class RestrictedRecordMiddleware:
    """Turns `casework.access.RestrictedRecord` into a redirect to the break-glass page, which
    asks for a reason and comes back: to the page asked for, or after a form posted, to the
    page it was posted from (the child's page when that is unknown or not ours). The attempt
    is audited as a refused read of the child's record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RestrictedRecord):
            return None
        child_id = exception.child_id
        back = reverse("referrals:child", args=[child_id])
        if request.method in ("GET", "HEAD"):
            back = request.get_full_path()
        else:
            referer = request.headers.get("referer", "")
            if url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                parts = urlsplit(referer)
                back = parts.path + (f"?{parts.query}" if parts.query else "")
        record_event(
            Event.REFUSED, actor=request.user, model=Child, object_pk=str(child_id),
            object_repr=f"Restricted record: {request.method} {request.path}",
            child_ref=child_reference(child_id),
            details={"path": request.path, "status": 302, "restricted": True},
        )  # fmt: skip
        target = reverse("referrals:child-restricted", args=[child_id])
        return HttpResponseRedirect(f"{target}?{urlencode({'next': back})}")
