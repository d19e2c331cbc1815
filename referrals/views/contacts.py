"""Recording a contact (issue 17): one page for what was reported, the children and the
adults, each found among those already known in place (static/js/contact.mjs posts to
`contact_matches`; without JavaScript the page reloads), then "Check your answers", where
each child's decision can be proposed or left to screen later."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import sessions
from accounts.forms import PageFormHelper
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.answers import check_your_answers
from referrals import selectors, services
from referrals.forms.contacts import (
    KINDS,
    MAX_PEOPLE,
    ContactDetailsForm,
    ContactForm,
    ContactProposalsForm,
    FindPersonForm,
    PersonRow,
    PersonRowTemplate,
    person_field,
)
from referrals.matching import fold
from referrals.models import Child, Contact, Person, Relationship
from referrals.services.partner_referrals import NEW_CONTACT

MODELS: dict[str, type[Child] | type[Person]] = {"child": Child, "adult": Person}
NOUNS = {"child": ("child", "children"), "adult": ("adult", "adults")}
STEPS = 2  # the contact's page, then "Check your answers" (README "The front door")


def _as_lists(data: QueryDict) -> dict[str, list[str]]:
    """What was posted, every value kept (the sealed draft store takes plain data)."""
    return {key: values for key, values in data.lists() if key != "csrfmiddlewaretoken"}


def _query_dict(data: dict[str, list[str]]) -> QueryDict:
    kept = QueryDict(mutable=True)
    for key, values in data.items():
        kept.setlist(key, values if isinstance(values, list) else [values])
    return kept


def _starting_values(request: AuthenticatedHttpRequest, state: dict) -> tuple[QueryDict, dict]:
    """The page as first shown: what was kept (after "Change"), else the details as given
    (a partner's referral) or today's, with the referred children ready to look for."""
    if state.get("form"):
        values = _query_dict(state["form"])
        return values, ContactForm.counts_from(values)
    now = timezone.localtime()
    values = _query_dict({
        key: [str(value)] for key, value in (state.get("details") or {
            "received_date": now.strftime("%d/%m/%Y"), "received_time": now.strftime("%H:%M"),
            "taken_by": request.user.pk,
        }).items() if key != "urgent" or value
    })  # fmt: skip
    referred = state.get("referred_children", [])[:MAX_PEOPLE]
    for n, child in enumerate(referred):
        born = _typed_date(child.get("date_of_birth", ""))
        values[person_field("child", n, "first_name")] = child["first_name"]
        values[person_field("child", n, "last_name")] = child["last_name"]
        values[person_field("child", n, "date_of_birth")] = born
    return values, {"children": max(1, len(referred)), "adults": 1}


def _typed_date(iso: str) -> str:
    """An ISO date as the page types it (day/month/year)."""
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _with_matches(request: AuthenticatedHttpRequest, rows: list[PersonRow]) -> list[PersonRow]:
    """Each row whose names are typed, with the known records it may be (one query per row,
    plus what confirms identity: the rows are at most MAX_PEOPLE)."""
    for row in rows:
        if row.valid:
            row.matches = _matches(request, row)
    return rows


def _matches(request: AuthenticatedHttpRequest, row: PersonRow) -> list[selectors.Match]:
    model = MODELS[row.kind]
    found = selectors.likely_matches(
        model=model, first_name=row.first_name, last_name=row.last_name,
        date_of_birth=row.date_of_birth, nhs_number=row.nhs_number, user=request.user,
    )  # fmt: skip
    return selectors.with_identity(found, model=model, user=request.user)


def _contact_page(
    request: AuthenticatedHttpRequest,
    form: ContactForm,
    state: dict,
    *,
    status: int = 200,
    typed: sessions.FormDraft | None = None,
) -> HttpResponse:
    return render(
        request,
        "referrals/contact_new.html",
        {
            "form": form,
            "rows": {kind: _with_matches(request, form.rows(kind)) for kind in KINDS},
            "templates": {kind: PersonRowTemplate(kind) for kind in KINDS},
            "max_people": MAX_PEOPLE,
            "steps": STEPS,
            "partner_referral": state.get("partner_referral"),
            "referred": [
                {**c, "born": _typed_date(c.get("date_of_birth", ""))}
                for c in state.get("referred_children", [])
            ],
            "referred_adults": state.get("referred_adults", ""),
            "continued": typed or (state if state.get("form") else None),
        },
        status=status,
    )


def contact_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The contact on one page: what was reported, the children and the adults."""
    access.require_right(request.user, Perm.RECORD_CONTACTS, access.RECORDS_CONTACTS)
    state = sessions.kept(user=request.user, key=NEW_CONTACT) or {}
    if request.method != "POST":
        typed = sessions.draft_for(request.user, request.path)
        if typed is not None and not state.get("form"):
            # A half-finished contact comes back as it was last saved: its own rows, each
            # once (never added to the rows the page would start with).
            values = _query_dict(typed.fields)
            counts = ContactForm.counts_from(values)
        else:
            values, counts = _starting_values(request, state)
        return _contact_page(request, ContactForm(initial=values, **counts), state, typed=typed)
    counts = ContactForm.counts_from(request.POST)
    action = request.POST.get("action", "continue")
    if action in ("add_child", "add_adult"):
        # One more row, keeping what was typed (no errors yet).
        counts[KINDS[action.removeprefix("add_")]] += 1
        return _contact_page(request, ContactForm(initial=request.POST, **counts), state)
    form = ContactForm(request.POST, **counts)
    if action == "find":
        # Look for everyone typed so far (without JavaScript): what was typed, the candidates.
        return _contact_page(request, ContactForm(initial=request.POST, **counts), state)
    form.is_valid()
    people = _resolve(request, form)  # every problem at once, the details' and the people's
    if people is not None:
        children, adults, warnings = people
        details: dict[str, str | bool] = {
            name: request.POST.get(name, "") for name in ContactDetailsForm.base_fields
        }
        details["urgent"] = bool(form.cleaned_data["urgent"])
        sessions.keep(user=request.user, key=NEW_CONTACT, data={
            **state, "details": details, "form": _as_lists(request.POST),
            "children": children, "adults": adults, "warnings": warnings,
        })  # fmt: skip
        return redirect("referrals:contact-new-check")
    return _contact_page(request, form, state)


@sessions.posted_from("referrals:contact-new")
@require_POST
def contact_new_discard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Discard the half-finished contact: what was typed and what was kept, nothing recorded."""
    access.require_right(request.user, Perm.RECORD_CONTACTS, access.RECORDS_CONTACTS)
    sessions.forget(user=request.user, key=NEW_CONTACT)
    for page in ("referrals:contact-new", "referrals:contact-new-check"):
        sessions.discard_draft(user=request.user, path=reverse(page))
    messages.success(request, "The contact you had started is discarded.")
    return redirect("workspace:home")


def _entry(match: selectors.Match, relationship: str = "") -> dict:
    known = match.record
    return {
        "existing": known.pk,
        "census_id": known.census_id if isinstance(known, Child)
        else str(known).removeprefix("Person "),
        # A restricted child is chosen by reference only: no name in the kept answers.
        "name": "Restricted record" if match.restricted
        else f"{known.first_name} {known.last_name}",
        "relationship": relationship,
    }  # fmt: skip


def _resolve(
    request: AuthenticatedHttpRequest, form: ContactForm
) -> tuple[list[dict], list[dict], list[str]] | None:
    """The children and adults of a valid form as the service takes them, or None with each
    problem added to the form: a typed person not matched is asked about, never dropped; the
    same person is never added twice; an adult needs their relationship to the children."""
    entries: dict[str, list[dict]] = {"child": [], "adult": []}
    seen: dict[str, dict[str, str]] = {"child": {}, "adult": {}}  # key -> who, for duplicates

    def add(kind: str, row: PersonRow, entry: dict, key: str) -> None:
        noun = NOUNS[kind][0]
        if key in seen[kind]:
            form.add_error(
                person_field(row.kind, row.n, "first_name"),
                f"{entry['name'] if 'existing' in entry else row.name} is added twice: "
                f"each {noun} is added once, so leave one of them out",
            )
            return
        seen[kind][key] = entry.get("name", row.name)
        entries[kind].append(entry)

    for kind in ("child", "adult"):
        noun, plural = NOUNS[kind]
        for row in form.rows(kind):
            if not row.typed:
                continue  # an empty row is left out
            row.matches = _matches(request, row)
            if kind == "adult" and not row.relationship:
                form.add_error(
                    person_field(kind, row.n, "relationship"),
                    f"Choose {row.name}'s relationship to the children",
                )
            chosen = next((m for m in row.matches if str(m.record.pk) == row.match), None)
            if row.match == "new":
                born = row.date_of_birth
                new = {
                    "first_name": row.first_name, "last_name": row.last_name,
                    "date_of_birth": born.isoformat() if born else "",
                    "nhs_number": row.nhs_number,
                }  # fmt: skip
                key = f"new:{fold(row.first_name)}:{fold(row.last_name)}:{new['date_of_birth']}"
                add(kind, row, {"new": new, "relationship": row.relationship}, key)
            elif chosen is not None:
                add(kind, row, _entry(chosen, row.relationship), f"{chosen.record.pk}")
                for offer in chosen.offered:
                    if offer.value not in row.also:
                        continue
                    what, pk = offer.value.split(":")
                    also = {"existing": int(pk), "census_id": offer.reference,
                            "name": offer.name, "relationship": offer.relationship}  # fmt: skip
                    add("adult" if what == "person" else "child", row, also, pk)
            else:
                form.ask_which_record(
                    kind,
                    row.n,
                    f"Say whether {row.name} is one of the known {plural} shown, or a new {noun}",
                )
    if not entries["child"] and "child_0_first_name" not in form.errors:
        form.add_error("child_0_first_name", "Add at least one child the contact is about")
    if form.errors:
        return None
    return entries["child"], entries["adult"], _second_parents(request, entries)


def _second_parents(request: AuthenticatedHttpRequest, entries: dict[str, list[dict]]) -> list[str]:
    """Warnings for "Check your answers": a new adult added as a known child's mother (say)
    when that child already has one on record who is not on this contact."""
    new_kinds = {e["relationship"]: e for e in entries["adult"] if "new" in e and e["relationship"]}
    known_children = {e["existing"]: e for e in entries["child"] if "existing" in e}
    on_contact = {e["existing"] for e in entries["adult"] if "existing" in e}
    if not new_kinds or not known_children:
        return []
    warnings = []
    recorded = (
        Relationship.objects.filter(child_id__in=known_children, kind__in=new_kinds)
        .exclude(person_id__in=on_contact)
        .select_related("person")
        .order_by("pk")
    )
    for relationship in recorded:
        child = known_children[relationship.child_id]
        person = relationship.person
        new = new_kinds[relationship.kind]["new"]
        kind = relationship.get_kind_display().lower()
        warnings.append(
            f"{child['name']} ({child['census_id']}) already has a {kind} on record: "
            f"{person.first_name} {person.last_name} ({person}). This contact adds "
            f"{new['first_name']} {new['last_name']} as another {kind}. If they are the same "
            "person, change the adults and choose the one on record."
        )
    return warnings


@require_POST
def contact_matches(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The known children or adults a typed person may be, as a fragment of the contact's page
    (static/js/contact.mjs). Identity comes in the body, never in a URL or an access log."""
    access.require_right(request.user, Perm.RECORD_CONTACTS, access.RECORDS_CONTACTS)
    form = FindPersonForm(request.POST)
    kind = str(request.POST.get("kind", "child"))
    kind = kind if kind in KINDS else "child"
    if not form.is_valid():
        errors = [error for errors in form.errors.values() for error in errors]
        return render(
            request, "referrals/includes/contact_matches.html",
            {"errors": errors, "row": None, "noun": NOUNS[kind][0]},
        )  # fmt: skip
    data = form.cleaned_data
    row = PersonRow(
        kind=data["kind"], n=data["row"], helper=PageFormHelper(),
        first_name=data["first_name"].strip(), last_name=data["last_name"].strip(),
        date_of_birth=data["date_of_birth"], nhs_number=data["nhs_number"], valid=True,
    )  # fmt: skip
    row.matches = _matches(request, row)
    return render(
        request,
        "referrals/includes/contact_matches.html",
        {"row": row, "noun": NOUNS[row.kind][0], "plural": NOUNS[row.kind][1]},
    )


def _describe(entry: dict) -> str:
    if "existing" in entry:
        described = f"{entry['name']} ({entry['census_id']}, known)"
    else:
        described = f"{entry['new']['first_name']} {entry['new']['last_name']} (new)"
    if entry.get("relationship"):
        described += f": {Relationship.Kind(entry['relationship']).label.lower()}"
    return described


def _name(entry: dict) -> str:
    if "existing" in entry:
        return entry["name"] if entry["name"] != "Restricted record" else (
            f"Restricted record {entry['census_id']}"
        )  # fmt: skip
    return f"{entry['new']['first_name']} {entry['new']['last_name']}"


def contact_new_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check your answers, with a proposed decision for each child (or screening later); then
    record the contact and the proposals at once."""
    access.require_right(request.user, Perm.RECORD_CONTACTS, access.RECORDS_CONTACTS)
    state = sessions.kept(user=request.user, key=NEW_CONTACT) or {}
    names = [_name(entry) for entry in state.get("children", [])]
    child_ids = [entry.get("existing") for entry in state.get("children", [])]
    action = request.POST.get("action", "")
    if request.method == "POST" and action.startswith("apply_") and action[6:].isdigit():
        # "Apply to the other children" without JavaScript: their fields pre-filled, each
        # child's own "what now" still to choose.
        initial = ContactProposalsForm.applied(request.POST, source=int(action[6:]),
                                               count=len(names))  # fmt: skip
        proposals = ContactProposalsForm(initial=_query_dict(
            {k: v if isinstance(v, list) else [v] for k, v in initial.items()}
        ), names=names, child_ids=child_ids)  # fmt: skip
    elif request.method == "POST":
        proposals = ContactProposalsForm(request.POST, names=names, child_ids=child_ids)
    else:
        proposals = ContactProposalsForm(names=names, child_ids=child_ids)

    def read(kept: dict) -> tuple[dict, ContactDetailsForm] | None:
        if not kept or not kept.get("children"):
            return None
        form = ContactDetailsForm(kept["details"])
        return (kept, form) if form.is_valid() else None

    def submit(pending: tuple[dict, ContactDetailsForm]) -> Contact:
        kept, form = pending
        contact = services.contact_record_and_propose(
            by=request.user, details=form.cleaned_data, children=kept["children"],
            adults=kept.get("adults", []), proposals=proposals.proposals(),
            partner_referral=kept["partner_referral"]["pk"]
            if kept.get("partner_referral") else None,
        )  # fmt: skip
        # Recorded: a background save that landed after "Continue" is not a contact unrecorded.
        for page in ("referrals:contact-new", "referrals:contact-new-check"):
            sessions.discard_draft(user=request.user, path=reverse(page))
        return contact

    def context(pending: tuple[dict, ContactDetailsForm]) -> dict:
        kept, form = pending
        # The history beside each known child's proposal (issue 18); not a restricted record
        # closed to this user, which the page shows as "Restricted record" only.
        panels = selectors.new_contact_history_panels(
            [
                entry["existing"]
                for entry in kept["children"]
                if "existing" in entry and entry["name"] != "Restricted record"
            ],
            user=request.user,
        )
        return {
            "details": form.cleaned_data,
            "form": proposals,
            "details_form": form,
            "children": [
                {
                    "described": _describe(entry),
                    "name": _name(entry),
                    "entry": entry,
                    "helper": proposals.child_helpers[n],
                    "n": n,
                    "panel": panels.get(entry.get("existing")),
                }
                for n, entry in enumerate(kept["children"])
            ],
            "adults": [_describe(e) for e in kept.get("adults", [])],
            "warnings": kept.get("warnings", []),
            "partner_referral": kept.get("partner_referral"),
            "steps": STEPS,
        }

    def recorded(contact: Contact) -> str:
        count = sum(1 for proposal in proposals.proposals() if proposal)
        if not count:
            return "The contact is recorded. Now decide for each child."
        return (
            f"The contact is recorded, with {count} proposed decision{'s' if count > 1 else ''}. "
            "A manager will sign them off."
        )

    pending_state = read(state)
    if request.method == "POST" and pending_state is not None and (
        action.startswith("apply_") or not proposals.is_valid()
    ):  # fmt: skip
        return render(
            request, "referrals/contact_new_check.html",
            {**context(pending_state), "errors": []},
        )  # fmt: skip
    return check_your_answers(
        request,
        key=NEW_CONTACT,
        back="referrals:contact-new",
        read=read,
        submit=submit,
        done=lambda contact: reverse("referrals:contact", args=[contact.pk]),
        message=recorded,
        refused_status=200,
        template="referrals/contact_new_check.html",
        context=context,
    )
