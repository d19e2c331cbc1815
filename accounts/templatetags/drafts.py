"""`{% draft_offer %}`: the one way a case form's page offers back what was typed and not sent.

Placed just before a `<form data-keep-draft>`; the form's page shows the kept draft (a time-out,
a refused form, a browser crash) with "put it back" and "discard", once per page, on a GET only
(a refused form shows what was typed in the form itself).
"""

from __future__ import annotations

from django import template

from accounts import sessions

register = template.Library()


@register.inclusion_tag("accounts/includes/draft_banner.html", takes_context=True)
def draft_offer(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        request is None
        or user is None
        or not user.is_authenticated
        or request.method != "GET"
        or getattr(request, "draft_offered", False)
    ):
        return {"draft": None}
    request.draft_offered = True
    return {"draft": sessions.draft_for(user, request.path), "request": request}
