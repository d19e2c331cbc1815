from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts import rights
from accounts.permissions import Perm


def service(request: HttpRequest) -> dict[str, object]:
    """The service's and council's names for the header and page titles, and whether the
    navigation shows the case lists (asked of accounts.rights only when a page renders it)."""
    return {
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "shows_case_lists": SimpleLazyObject(
            lambda: CaseLists(rights.can_view_case_records(request.user))
        ),
        "shows_requests_to_answer": SimpleLazyObject(
            lambda: CaseLists(rights.has_right(request.user, Perm.ANSWER_INFORMATION_REQUESTS))
        ),
        "shows_invitations": SimpleLazyObject(
            lambda: CaseLists(
                rights.takes_part_in_discussions(request.user)
                and not rights.uses_lado_inbox(request.user)
            )
        ),
        "shows_lado_inbox": SimpleLazyObject(
            lambda: CaseLists(
                request.user.is_authenticated and rights.uses_lado_inbox(request.user)
            )
        ),
        "shows_restricted_records": SimpleLazyObject(
            lambda: CaseLists(rights.can_read_restricted_records(request.user))
        ),
        "shows_my_referrals": SimpleLazyObject(
            lambda: CaseLists(rights.makes_referrals(request.user))
        ),
        "shows_returns": SimpleLazyObject(
            lambda: CaseLists(rights.can_prepare_returns(request.user))
        ),
        "shows_sharing_records": SimpleLazyObject(
            lambda: CaseLists(rights.can_read_sharing_records(request.user))
        ),
        "shows_reports": SimpleLazyObject(lambda: CaseLists(rights.can_read_reports(request.user))),
    }


class CaseLists:
    def __init__(self, shown: bool) -> None:
        self.shown = shown
