from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts import access


def service(request: HttpRequest) -> dict[str, object]:
    """The service's and council's names for the header and page titles, and whether the
    navigation shows the case lists (asked of accounts.access only when a page renders it)."""
    return {
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "shows_case_lists": SimpleLazyObject(
            lambda: CaseLists(access.can_view_case_records(request.user))
        ),
    }


class CaseLists:
    def __init__(self, shown: bool) -> None:
        self.shown = shown
