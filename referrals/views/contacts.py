"""Recording a contact: what was reported, the children and the adults (each found first), and
"Check your answers"."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts import sessions
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.answers import check_your_answers
from referrals import selectors, services
from referrals.forms import (
    ContactDetailsForm,
    FindAdultForm,
    FindChildForm,
)
from referrals.models import (
    Child,
    Contact,
    Person,
    Relationship,
)
from referrals.services.partner_referrals import NEW_CONTACT


def contact_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1: when the contact came in, who took it, who reported it, the concern."""
    access.require_right(request.user, Perm.RECORD_CONTACTS, access.RECORDS_CONTACTS)
    state = sessions.kept(user=request.user, key=NEW_CONTACT) or {}
    now = timezone.localtime()
    initial = state.get("details") or {
        "received_date": now.strftime("%d/%m/%Y"), "received_time": now.strftime("%H:%M"),
        "taken_by": request.user.pk,
    }  # fmt: skip
    form = ContactDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        details: dict[str, Any] = {name: request.POST.get(name, "") for name in form.fields}
        details["urgent"] = bool(form.cleaned_data["urgent"])
        sessions.keep(
            user=request.user, key=NEW_CONTACT,
            data={**state, "details": details, "children": state.get("children", [])},
        )  # fmt: skip
        return redirect("referrals:contact-new-children")
    return render(
        request,
        "referrals/contact_new.html",
        {"form": form, "partner_referral": state.get("partner_referral")},
    )


def _describe(entry: dict) -> str:
    if "existing" in entry:
        described = f"{entry['name']} ({entry['census_id']}, known)"
    else:
        described = f"{entry['new']['first_name']} {entry['new']['last_name']} (new)"
    if entry.get("relationship"):
        described += f": {Relationship.Kind(entry['relationship']).label.lower()}"
    return described


PEOPLE_STEPS: dict[str, dict[str, Any]] = {
    "children": {
        "model": Child, "form": FindChildForm, "next": "referrals:contact-new-adults",
        "heading": "Which children is it about?", "step": "step 2 of 4", "noun": "child",
        "intro": "We look for the child among those already known, so that their history "
        "follows them.",
        "none": "Add at least one child the contact is about",
    },
    "adults": {
        "model": Person, "form": FindAdultForm, "next": "referrals:contact-new-check",
        "heading": "Which adults are involved?", "step": "step 3 of 4", "noun": "adult",
        "intro": "Parents, carers, partners, anyone alleged to have caused harm. We look for "
        "them among those already known, so that history follows them too.",
        "none": "",
    },
}  # fmt: skip


def _people_step(request: AuthenticatedHttpRequest, which: str) -> HttpResponse:
    """Steps 2 and 3: children, then adults, each looked for among those known before adding."""
    access.require_right(request.user, Perm.RECORD_CONTACTS, access.RECORDS_CONTACTS)
    step = PEOPLE_STEPS[which]
    state = sessions.kept(user=request.user, key=NEW_CONTACT)
    if state is None:
        return redirect("referrals:contact-new")
    entries = state.setdefault(which, [])
    form, matches, errors = step["form"](), None, []
    action = request.POST.get("action")
    if request.method == "POST" and action == "remove":
        index = request.POST.get("index", "")
        if index.isdigit() and int(index) < len(entries):
            entries.pop(int(index))
    elif request.method == "POST" and action == "continue":
        if entries or not step["none"]:
            sessions.keep(user=request.user, key=NEW_CONTACT, data=state)
            return redirect(step["next"])
        errors.append(step["none"])
    elif request.method == "POST" and action in ("find", "add"):
        form = step["form"](request.POST)
        if form.is_valid():
            data = form.cleaned_data
            matches = selectors.likely_matches(
                model=step["model"], first_name=data["first_name"], last_name=data["last_name"],
                date_of_birth=data["date_of_birth"], nhs_number=data["nhs_number"],
                user=request.user,
            )  # fmt: skip
            choice = request.POST.get("match", "")
            relationship = data.get("relationship", "")
            known_ids = {m.record.pk for m in matches}
            if action == "add" and which == "adults" and not relationship:
                errors.append("Choose the adult's relationship to the children")
            elif action == "add" and choice == "new":
                born = data["date_of_birth"]
                entries.append({"new": {
                    "first_name": data["first_name"], "last_name": data["last_name"],
                    "date_of_birth": born.isoformat() if born else "",
                    "nhs_number": data["nhs_number"],
                }, "relationship": relationship})  # fmt: skip
                form, matches = step["form"](), None
            elif action == "add" and choice.isdigit() and int(choice) in known_ids:
                match = next(m for m in matches if m.record.pk == int(choice))
                known = match.record
                entries.append({
                    "existing": known.pk, "census_id": str(known),
                    # A restricted child is chosen by reference only: no name in the session.
                    "name": "Restricted record" if match.restricted
                    else f"{known.first_name} {known.last_name}",
                    "relationship": relationship,
                })  # fmt: skip
                form, matches = step["form"](), None
            elif action == "add":
                errors.append(
                    f"Choose a known {step['noun']}, or say that this is a new {step['noun']}"
                )
    sessions.keep(user=request.user, key=NEW_CONTACT, data=state)
    # From a partner referral: the next child as the referrer gave them, ready to look for.
    referred = state.get("referred_children", []) if which == "children" else []
    if not form.is_bound and len(entries) < len(referred):
        form = _referred_child_form(referred[len(entries)])
    return render(
        request,
        "referrals/contact_new_people.html",
        {
            "form": form, "matches": matches, "errors": errors, "step": step,
            "added": [_describe(entry) for entry in entries],
            "partner_referral": state.get("partner_referral"),
            "referred": [{**c, "born": _iso_date(c["date_of_birth"])} for c in referred],
            "referred_adults": state.get("referred_adults", "") if which == "adults" else "",
        },
    )  # fmt: skip


def _iso_date(value: str):
    from datetime import date

    return date.fromisoformat(value) if value else None


def _referred_child_form(child: dict) -> FindChildForm:
    born = _iso_date(child["date_of_birth"])
    return FindChildForm(
        initial={
            "first_name": child["first_name"], "last_name": child["last_name"],
            "date_of_birth": born.strftime("%d/%m/%Y") if born else "",
        }
    )  # fmt: skip


def contact_new_children(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _people_step(request, "children")


def contact_new_adults(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _people_step(request, "adults")


def contact_new_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 3: check your answers, then record the contact with a decision to make per child."""
    access.require_right(request.user, Perm.RECORD_CONTACTS, access.RECORDS_CONTACTS)

    def read(state: dict) -> tuple[dict, ContactDetailsForm] | None:
        if not state or not state.get("children"):
            return None
        form = ContactDetailsForm(state["details"])
        return (state, form) if form.is_valid() else None

    def submit(pending: tuple[dict, ContactDetailsForm]) -> Contact:
        state, form = pending
        return services.contact_record_from_wizard(
            by=request.user, details=form.cleaned_data, children=state["children"],
            adults=state.get("adults", []),
            partner_referral=state["partner_referral"]["pk"]
            if state.get("partner_referral") else None,
        )  # fmt: skip

    def context(pending: tuple[dict, ContactDetailsForm]) -> dict:
        state, form = pending
        return {
            "details": form.cleaned_data,
            "form": form,
            "children": [_describe(e) for e in state["children"]],
            "adults": [_describe(e) for e in state.get("adults", [])],
            "partner_referral": state.get("partner_referral"),
        }

    return check_your_answers(
        request,
        key=NEW_CONTACT,
        back="referrals:contact-new",
        read=read,
        submit=submit,
        done=lambda contact: reverse("referrals:contact", args=[contact.pk]),
        message="The contact is recorded. Now decide for each child.",
        refused_status=200,
        template="referrals/contact_new_check.html",
        context=context,
    )
