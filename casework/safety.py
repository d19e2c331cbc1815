"""The safety rule (issue 18; DOMAIN.md "What inspectors found", findings 7 and 11): closing at
the front door (no further action, advice or early help, or "no further action" as a
referral's next steps) for a child with open child-protection work (an open section 47
enquiry, an open plan, a strategy discussion not yet signed off), or whose brother or sister
has such work, or with an outcome the level of need does not expect, needs a recorded reason
that addresses it. The services enforce it; the forms and pages ask it with the same words.

Which children count as brothers and sisters (sharing a household, or a parent or carer) and
the open work of a set of children are asked here too, for the history panel's selectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value

from casework.errors import RuleBroken
from referrals.models import Child, Household, Relationship
from referrals.models.contacts import LevelOfNeed, Outcome
from referrals.models.episodes import NextSteps
from strategy.models import OPEN_DISCUSSION_STATES, ChildProtectionPlan, DiscussionChild, Section47

RULE_NAME = "The safety rule"
RULE = (
    "Closing a child's case at the front door (no further action, advice or early help, or no "
    "further action after a referral) while the child or a brother or sister has open "
    "child-protection work, or with an outcome the level of need does not expect, needs a "
    "recorded reason that addresses it."
)

# The front door's outcomes that close the child's case there.
CLOSING_OUTCOMES = frozenset({Outcome.NO_FURTHER_ACTION, Outcome.ADVICE, Outcome.EARLY_HELP})
CLOSING_NEXT_STEPS = frozenset({NextSteps.NO_FURTHER_ACTION})
# "A parent or carer": the relationships that make two children brothers and sisters.
PARENT_KINDS = (
    Relationship.Kind.MOTHER,
    Relationship.Kind.FATHER,
    Relationship.Kind.STEP_PARENT,
    Relationship.Kind.CARER,
)


def open_work_annotations(child_field: str = "pk") -> dict[str, ExpressionWrapper]:
    """`annotate()` expressions: whether the child at `child_field` has an open section 47
    enquiry, an open plan, or a strategy discussion not yet signed off (no query per row)."""

    def exists(queryset: QuerySet) -> ExpressionWrapper:
        return ExpressionWrapper(Q(Exists(queryset)), BooleanField())

    child = OuterRef(child_field)
    return {
        "open_section47": exists(Section47.objects.open().filter(child_id=child)),
        "open_plan": exists(ChildProtectionPlan.objects.open().filter(child_id=child)),
        "open_discussion": exists(
            DiscussionChild.objects.filter(
                child_id=child, discussion__state__in=OPEN_DISCUSSION_STATES
            )
        ),
    }


def any_open_work() -> Q:
    """A filter on a queryset annotated with `open_work_annotations()`."""
    return Q(open_section47=True) | Q(open_plan=True) | Q(open_discussion=True)


def related_children(child_id: int) -> tuple[set[int], set[int]]:
    """The child's brothers and sisters (sharing a household, or a parent or carer) and the
    other children of adults linked to the child (history follows adults), in one query
    walking the link tables' indexes from the child (never a scan of every child)."""
    through = Household.children.through
    households = through.objects.filter(child_id=child_id).values("household_id")
    parents = Relationship.objects.filter(child_id=child_id, kind__in=PARENT_KINDS).values(
        "person_id"
    )
    adults = Relationship.objects.filter(child_id=child_id).values("person_id")
    by_household = through.objects.filter(household_id__in=households).annotate(sibling=Value(True))
    by_parent = Relationship.objects.filter(person_id__in=parents, kind__in=PARENT_KINDS).annotate(
        sibling=Value(True)
    )
    by_adult = Relationship.objects.filter(person_id__in=adults).annotate(sibling=Value(False))
    rows = by_household.values_list("child_id", "sibling").union(  # type: ignore[misc]  # django-stubs cannot follow annotate() on the auto-created through model
        by_parent.values_list("child_id", "sibling"),
        by_adult.values_list("child_id", "sibling"),
    )
    siblings: set[int] = set()
    linked: set[int] = set()
    for other, sibling in rows:
        if other != child_id:
            (siblings if sibling else linked).add(other)
    return siblings, linked - siblings


@dataclass(frozen=True)
class OpenWork:
    """A child's open child-protection work."""

    section47: bool = False
    plan: bool = False
    discussion: bool = False

    def __bool__(self) -> bool:
        return self.section47 or self.plan or self.discussion

    def labels(self) -> list[str]:
        labels = []
        if self.section47:
            labels.append("an open section 47 enquiry")
        if self.plan:
            labels.append("an open child protection plan")
        if self.discussion:
            labels.append("a strategy discussion not yet signed off")
        return labels


def open_work_of(child_id: int) -> tuple[OpenWork, bool]:
    """The child's own open work, and whether a brother or sister has any: three queries."""
    own = (
        Child.objects.filter(pk=child_id)
        .annotate(**open_work_annotations())
        .values("open_section47", "open_plan", "open_discussion")  # type: ignore[misc]  # annotations given as **dict, which django-stubs cannot follow
    )
    row = own.first() or {}
    brothers_and_sisters, _ = related_children(child_id)
    siblings = bool(brothers_and_sisters) and (
        Child.objects.filter(pk__in=brothers_and_sisters)
        .annotate(**open_work_annotations())
        .filter(any_open_work())
        .exists()
    )
    return (
        OpenWork(
            section47=bool(row.get("open_section47")),
            plan=bool(row.get("open_plan")),
            discussion=bool(row.get("open_discussion")),
        ),
        siblings,
    )


def concerns(
    *, own: OpenWork, sibling_work: bool, outcome: str, level: LevelOfNeed | None = None,
    closing: frozenset = CLOSING_OUTCOMES,
) -> list[str]:  # fmt: skip
    """What a reason must address for this outcome, in plain words (none: no reason needed)."""
    found = []
    if outcome in closing:
        label = _outcome_label(outcome)
        if own:
            found.append(f"The child has {' and '.join(own.labels())}, and the decision is "
                         f"'{label}'")  # fmt: skip
        if sibling_work:
            found.append(
                "A brother or sister (sharing a household, or a parent or carer) has open "
                f"child-protection work, and the decision is '{label}'"
            )
    if level is not None and level.expected_outcomes and outcome not in level.expected_outcomes:
        found.append(
            f"The level of need '{level.name}' does not expect '{_outcome_label(outcome)}'"
        )
    return found


def concerns_for(
    *, child_id: int, outcome: str, level: LevelOfNeed | None = None,
    closing: frozenset = CLOSING_OUTCOMES,
) -> list[str]:  # fmt: skip
    """`concerns()` for a child, with its open work read (no query for an outcome that does
    not close the case)."""
    if outcome not in closing:
        return concerns(own=OpenWork(), sibling_work=False, outcome=outcome, level=level)
    own, sibling_work = open_work_of(child_id)
    return concerns(
        own=own, sibling_work=sibling_work, outcome=outcome, level=level, closing=closing
    )


def require_reason(found: list[str], reason: str) -> None:
    """The rule itself: a reason, when anything was found."""
    if found and not reason.strip():
        raise RuleBroken(
            f"{RULE_NAME}: " + "; ".join(found) + ". Give the reason that addresses this"
        )


def _outcome_label(code: str) -> str:
    for choices in (Outcome, NextSteps):
        if code in choices.values:
            return str(choices(code).label)
    return code
