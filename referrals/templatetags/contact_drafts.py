"""`{% unrecorded_contact %}`: the signed-in person's half-finished contact, if any, listed as
"not yet recorded" with "continue" and "discard" (issue 19), on the home page and the queue."""

from __future__ import annotations

from django import template
from django.urls import reverse

from accounts import rights, sessions
from accounts.permissions import Perm
from referrals.services.partner_referrals import NEW_CONTACT

register = template.Library()


@register.inclusion_tag("referrals/includes/unrecorded_contact.html", takes_context=True)
def unrecorded_contact(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not rights.has_right(user, Perm.RECORD_CONTACTS):
        return {"started": None}  # only those who record contacts start one (no query)
    page, check, kept = (
        reverse("referrals:contact-new"),
        reverse("referrals:contact-new-check"),
        f"wizard:{NEW_CONTACT}",
    )
    drafts = sessions.lasting_drafts_of(user, [page, check, kept])  # one query
    if not drafts:
        return {"started": None}
    on_check = any(draft.path in (check, kept) for draft in drafts)
    kept_answers = next((draft for draft in drafts if draft.path == kept), None)
    if kept_answers is not None and not kept_answers.fields.get("children"):
        on_check = False
    return {"started": drafts[-1].updated_at, "saved": drafts[0].updated_at,
            "continue_url": check if on_check else page}  # fmt: skip
