"""Demo families on the fictional island of Holmsey for the journey after the front door:
referrals, assessments, strategy discussions, section 47 enquiries and initial conferences.

Loaded by `manage.py load_demo` after `demo.front_door`; idempotent (once only). Everything goes
through the real services, so every record is in a state the journey can reach: together the
families put each referral, assessment, discussion and enquiry in every one of its states.
Practitioners propose and record, managers sign off (four eyes), and the conference chair has
no other part in any child's work. Every date is in the past, discussions and conferences on
weekdays, and each step runs at the moment its family's story gives it (`demo.schedule`), so
the records carry the story's dates, in order. The people are invented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts import sharing
from accounts.models import Agency, User
from demo import people
from demo.schedule import Story, at, stories
from notes.models import Note
from notes.services import note_add
from referrals import services as referral_services
from referrals.codes import (
    AssessmentFactor,
    CategoryOfAbuse,
    ConsentPosition,
    PrimaryNeed,
    ReasonForClosure,
    ReferralSource,
    Sex,
)
from referrals.identifiers import upn_check_letter
from referrals.models import Child, Person, Relationship, Team
from referrals.models.contacts import ContactChild, LevelOfNeed, Outcome
from referrals.models.episodes import Assessment, AssessmentState, NextSteps, Referral
from referrals.models.restrictions import Restriction
from referrals.services.restrictions import child_restrict
from strategy import services
from strategy.models import (
    Attendance,
    ContributionAudience,
    DiscussionFormat,
    DiscussionOutcome,
    DiscussionState,
    EnquiryOutcome,
    Section47,
    StrategyDiscussion,
)
from strategy.services import partners

# The family whose presence means the demo is loaded (the whole load is one transaction).
MARKER_SURNAME = "Carveth"
TEAM = "Holmsey assessment team"
# The reason health was absent from the discussion recorded without them.
HEALTH_ABSENT_REASON = (
    "The named nurse was on leave; the GP's information was shared by the social worker."
)
CANCEL_REASON = (
    "The police officer in the case was called to an emergency, so the discussion was "
    "rearranged and convened again."
)
# Contacts this module records (the load_demo test counts the referrals demo's on top).
CONTACTS = 11
# What each demo discussion shares with the invited police, health and school.
SHARING_TERMS = partners.SharingTerms(
    history="Two earlier contacts about the family, both closed with advice (fictional)",
    consent=ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE, family_told=False,
    family_note="Telling the parents before the discussion could put the children at risk",
)  # fmt: skip


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class _Holmsey:
    """Who does what, and where, for every family."""

    practitioner: User
    practitioner2: User
    manager: User
    manager2: User
    chair: User
    council: Agency
    police: Agency
    health: Agency
    school: Agency
    team: Team
    level3: LevelOfNeed
    level4: LevelOfNeed
    today: date
    now: datetime
    stories: dict[str, Story]

    @classmethod
    def load(cls) -> _Holmsey:
        users = {u.username: u for u in User.objects.filter(username__in=[
            "practitioner", "practitioner2", "manager", "manager2", "chair"])}  # fmt: skip
        agencies = {a.name: a for a in Agency.objects.all()}
        now = timezone.now()
        return cls(
            **users,
            council=agencies[people.COUNCIL],
            police=agencies[people.POLICE],
            health=agencies[people.HEALTH],
            school=agencies[people.SCHOOL],
            team=Team.objects.get_or_create(name=TEAM, defaults={"manager": users["manager"]})[0],
            level3=LevelOfNeed.objects.get(name="Level 3: child in need"),
            level4=LevelOfNeed.objects.get(name="Level 4: child protection"),
            today=timezone.localdate(now),
            now=now,
            stories=stories(now),
        )

    # Contacts and referrals ------------------------------------------------------------

    def family(self, surname: str, parent: tuple[str, date], children) -> list[Child]:
        """A parent and their children (first name, date of birth, sex), all invented."""
        mother = Person.objects.create(
            first_name=parent[0], last_name=surname, date_of_birth=parent[1]
        )
        kids = []
        for first_name, born, sex in children:
            child = Child.objects.create(
                first_name=first_name, last_name=surname, date_of_birth=born, sex=sex
            )
            Relationship.objects.create(child=child, person=mother, kind=Relationship.Kind.MOTHER)
            kids.append(child)
        referral_services.household_add(
            by=self.practitioner, child=kids[0], address=f"{len(surname)} {surname} Row, Holmsey",
            postcode="HM1 1AA", people=[mother], children=kids,
        )  # fmt: skip
        return kids

    def referrals(
        self, children: list[Child], concern: str, *, story: Story, source: str,
        worker: User, manager: User, level: LevelOfNeed | None = None,
    ) -> list[Referral]:  # fmt: skip
        """A contact received in the past, and a decision to refer for each child, proposed by
        `worker` and signed off by `manager`: one open referral per child, at the story's
        moments."""
        with at(story.received):
            contact = referral_services.contact_record(
                by=worker, received_at=story.received, taken_by=worker, source=source,
                concern=concern, consent=ConsentPosition.GIVEN, children=children,
                referrer_name="Demo referrer", referrer_agency="Demo agency",
            )  # fmt: skip
        referrals = []
        for contact_child in contact.children.order_by("child__date_of_birth"):
            with at(story.decided):
                referral_services.decision_propose(
                    childs_voice="Says she feels safe with her aunt",
                    by=worker, contact_child=contact_child, outcome=Outcome.REFERRAL,
                    level_of_need=level or self.level4,
                    rationale="Needs a social work response: refer to children's social care.",
                )  # fmt: skip
            with at(story.signed_off):
                referral_services.decision_sign_off(
                    by=manager, contact_child=ContactChild.objects.get(pk=contact_child.pk)
                )
            referrals.append(Referral.objects.get(contact_child=contact_child))
        return referrals

    def next_steps(
        self, referral: Referral, next_steps: str, rationale: str, *, worker: User,
        manager: User | None, story: Story, primary_need: str = PrimaryNeed.N1,
    ) -> Referral:  # fmt: skip
        """Next steps proposed by `worker`, then signed off by `manager` (if given)."""
        with at(story.next_steps):
            referral_services.referral_next_steps_propose(
                by=worker, referral=referral, next_steps=next_steps,
                primary_need="" if next_steps == NextSteps.NO_FURTHER_ACTION else primary_need,
                rationale=rationale,
            )  # fmt: skip
        if manager is not None:
            with at(story.next_steps_signed_off):
                referral_services.referral_next_steps_sign_off(by=manager, referral=referral)
        return Referral.objects.get(pk=referral.pk)

    def allocate(self, referrals: list[Referral], worker: User, story: Story) -> None:
        for referral in referrals:
            with at(story.allocated):
                referral_services.allocation_set(
                    by=self.manager, child=referral.child, team=self.team, worker=worker
                )

    # Strategy discussions -----------------------------------------------------------------

    def convene(
        self, referrals: list[Referral], *, scheduled_for: datetime, school: bool = False,
        when: datetime | None = None,
    ) -> StrategyDiscussion:  # fmt: skip
        """Convened at `when` (the story's moment; None: now) for `scheduled_for`."""
        agencies = [self.council, self.police, self.health] + ([self.school] if school else [])
        # The cause to suspect harm arose when the earliest of the contacts arrived.
        cause_known_at = min(r.contact_child.contact.received_at for r in referrals)
        with at(when):
            return services.discussion_convene(
                by=self.practitioner, referrals=referrals, scheduled_for=scheduled_for,
                format=DiscussionFormat.VIDEO, chair=self.manager2, agencies=agencies,
                cause_known_at=min(cause_known_at, scheduled_for), sharing_terms=SHARING_TERMS,
            )  # fmt: skip

    def record(
        self, discussion: StrategyDiscussion, *, held_at: datetime, outcomes: list[str],
        rationale: str, risk: str, views: str, contributions: dict[int, str],
        absences: dict[int, str] | None = None,
        actions: Sequence[tuple[str, str, Agency, date]] = (),
    ) -> StrategyDiscussion:  # fmt: skip
        """The full record, every agency present unless `absences` gives its reason, one
        outcome per child (oldest first), then marked held by the practitioner."""
        absences = absences or {}
        attendance = [
            services.AttendanceRecord(
                participant_id=p.pk,
                attendance=Attendance.APOLOGIES if p.agency_id in absences
                else Attendance.ATTENDED,
                attendees="" if p.agency_id in absences else _ATTENDEES[p.agency.kind],
                absence_reason=absences.get(p.agency_id, ""),
                contribution=contributions.get(p.agency_id, ""),
            )
            for p in discussion.participants.select_related("agency")
        ]  # fmt: skip
        children = discussion.children.order_by("child__date_of_birth")
        decisions = [
            services.ChildDecision(discussion_child_id=c.pk, outcome=o, rationale=rationale)
            for c, o in zip(children, outcomes, strict=True)
        ]
        for description, owner, agency, due in actions:
            services.discussion_action_add(
                by=self.practitioner, discussion=discussion, description=description,
                owner=owner, agency=agency, due=due,
            )  # fmt: skip
        discussion = services.discussion_record(
            by=self.practitioner, discussion=discussion, version=discussion.version,
            attendance=attendance, decisions=decisions, held_at=held_at,
            other_children="None known.", history_reviewed=True,
            history_note="Chronology and previous contacts read before the discussion.",
            childs_views=views, risk_analysis=risk,
            police_plan="Police to check their records and join the home visit.",
            safety_plan="The children stay at home with daily contact from the social worker.",
            legal_action="None needed now.", family_told=True,
            family_note="Mother told by the social worker the same day.",
        )  # fmt: skip
        return services.discussion_mark_held(by=self.practitioner, discussion=discussion)

    def sign_off(self, discussion: StrategyDiscussion, story: Story) -> None:
        with at(story.discussion_signed_off):
            services.discussion_sign_off(
                by=self.manager, discussion=discussion, comment="Agreed: proceed as recorded."
            )

    def held(
        self, referrals: list[Referral], story: Story, outcomes: list[str], *,
        school: bool = False, **record,
    ) -> StrategyDiscussion:  # fmt: skip
        """Convened, held and recorded as held at the story's moments."""
        assert story.scheduled is not None  # noqa: S101  # a story with a discussion
        discussion = self.convene(
            referrals, scheduled_for=story.scheduled, school=school, when=story.convened
        )
        record.setdefault("contributions", self.contributions())
        with at(story.recorded):
            return self.record(discussion, held_at=story.scheduled, outcomes=outcomes, **record)

    def contributions(self) -> dict[int, str]:
        return {
            self.council.pk: "Two previous contacts, both about bruising; no plan before.",
            self.police.pk: "One call-out to the address last year for a noisy argument.",
            self.health.pk: "Health visitor saw the family last month; no concerns.",
        }

    def enquiries(self, referrals: list[Referral]) -> list[Section47]:
        return [Section47.objects.get(referral=r) for r in referrals]

    def propose_outcome(
        self, enquiry: Section47, outcome: str, rationale: str, story: Story
    ) -> None:
        with at(story.outcome_proposed):
            services.section47_outcome_propose(
                by=self.practitioner2, section47=enquiry, outcome=outcome, rationale=rationale
            )

    def sign_off_outcome(self, enquiry: Section47, story: Story) -> Section47:
        with at(story.outcome_signed_off):
            services.section47_outcome_sign_off(by=self.manager2, section47=enquiry)
        return Section47.objects.get(pk=enquiry.pk)


_ATTENDEES: dict[str, str] = {
    Agency.Kind.LOCAL_AUTHORITY: "Social worker and team manager",
    Agency.Kind.POLICE: "Detective constable, child abuse investigation team",
    Agency.Kind.HEALTH: "Named nurse for safeguarding",
    Agency.Kind.EDUCATION: "Designated safeguarding lead",
}


def load() -> int:
    """Load the families (once only); returns how many contacts were recorded."""
    if Child.objects.filter(last_name=MARKER_SURNAME).exists():
        return 0
    with transaction.atomic():
        h = _Holmsey.load()
        _referrals_only(h)
        _discussions(h)
        _enquiries(h)
        _previous_census_year(h)
    return CONTACTS


def _referrals_only(h: _Holmsey) -> None:
    """Referrals in each state without a discussion, and an assessment authorised."""
    story = h.stories["Quiller"]
    (quiller,) = h.family(
        "Quiller", ("Demelza", date(1994, 3, 14)), [("Jenna", date(2015, 9, 1), Sex.FEMALE)]
    )
    h.referrals(
        [quiller], "School nurse says Jenna has lost weight and is often tired.",
        story=story, source=ReferralSource.SCHOOL_NURSE,
        worker=h.practitioner, manager=h.manager, level=h.level3,
    )  # fmt: skip  # open: next steps to decide

    story = h.stories["Angwin"]
    (angwin,) = h.family(
        "Angwin", ("Loveday", date(1988, 11, 5)), [("Perran", date(2011, 2, 17), Sex.MALE)]
    )
    (referral,) = h.referrals(
        [angwin], "Perran told a youth worker he is scared of his mother's new partner.",
        story=story, source=ReferralSource.OTHER_LA_DEPARTMENT,
        worker=h.practitioner2, manager=h.manager2, level=h.level3,
    )  # fmt: skip
    h.next_steps(
        referral, NextSteps.ASSESSMENT, "Needs assessing: what Perran says about the home.",
        worker=h.practitioner2, manager=None, primary_need=PrimaryNeed.N5, story=story,
    )  # fmt: skip  # next steps proposed, awaiting a manager

    story = h.stories["Chegwidden"]
    (chegwidden,) = h.family(
        "Chegwidden", ("Wenna", date(1990, 7, 23)), [("Ivy", date(2018, 4, 2), Sex.FEMALE)]
    )
    (referral,) = h.referrals(
        [chegwidden], "Neighbour reports shouting from the flat late at night.",
        story=story, source=ReferralSource.ACQUAINTANCE,
        worker=h.practitioner, manager=h.manager2, level=h.level3,
    )  # fmt: skip
    referral = h.next_steps(
        referral, NextSteps.NO_FURTHER_ACTION,
        "The school and health visitor have no concerns; the shouting was a one-off.",
        worker=h.practitioner, manager=h.manager, story=story,
    )  # fmt: skip
    assert story.closed is not None  # noqa: S101  # this story closes the referral
    with at(_at(story.closed, 16)):
        referral_services.referral_close(
            by=h.manager, referral=referral, reason=ReasonForClosure.RC7, on=story.closed
        )  # closed: no further action

    story = h.stories["Pascoe"]
    (pascoe,) = h.family(
        "Pascoe", ("Morwenna", date(1985, 1, 30)), [("Cador", date(2014, 12, 8), Sex.MALE)]
    )
    (referral,) = h.referrals(
        [pascoe], "GP worried about Cador's missed appointments for his asthma.",
        story=story, source=ReferralSource.GP,
        worker=h.practitioner2, manager=h.manager, level=h.level3,
    )  # fmt: skip
    referral = h.next_steps(
        referral, NextSteps.ASSESSMENT, "Assess how his health needs are met at home.",
        worker=h.practitioner2, manager=h.manager2, primary_need=PrimaryNeed.N3, story=story,
    )  # fmt: skip
    assessment = Assessment.objects.get(referral=referral, state=AssessmentState.OPEN)
    with at(story.assessed):
        referral_services.assessment_complete(
            by=h.practitioner2, assessment=assessment, factors=[AssessmentFactor.F21],
            analysis="Appointments now kept; the family has a new asthma plan with the GP.",
            version=assessment.version, child_seen=True, needs_support=False,
        )  # fmt: skip
    with at(story.authorised):
        referral_services.assessment_authorise(
            by=h.manager, assessment=assessment, comment="No further action after assessment."
        )
    assert story.closed is not None  # noqa: S101  # this story closes the referral
    with at(_at(story.closed, 16)):
        referral_services.referral_close(
            by=h.manager, referral=referral, reason=ReasonForClosure.RC8, on=story.closed
        )  # closed after an authorised assessment


def _strategy_referral(h: _Holmsey, children, concern, *, story: Story, source) -> list[Referral]:
    referrals = h.referrals(
        children, concern, story=story, source=source,
        worker=h.practitioner, manager=h.manager2,
    )  # fmt: skip
    return [
        h.next_steps(
            r,
            NextSteps.STRATEGY_DISCUSSION,
            "Reasonable cause to suspect significant harm.",
            worker=h.practitioner,
            manager=h.manager2,
            story=story,
        )
        for r in referrals
    ]


def _discussions(h: _Holmsey) -> None:
    """A discussion cancelled then convened again, and one held without health."""
    story = h.stories["Rosewarne"]
    (rosewarne,) = h.family(
        "Rosewarne", ("Tegen", date(1996, 5, 19)), [("Jago", date(2020, 10, 12), Sex.MALE)]
    )
    referrals = _strategy_referral(
        h, [rosewarne], "Nursery saw a bruise shaped like a handprint on Jago's arm.",
        story=story, source=ReferralSource.EDUCATION_SERVICES,
    )  # fmt: skip
    assert story.scheduled is not None  # noqa: S101  # this story convenes a discussion
    first = h.convene(referrals, scheduled_for=story.scheduled, when=story.convened)
    with at(story.cancelled):
        services.discussion_cancel(by=h.practitioner, discussion=first, reason=CANCEL_REASON)
    # Convened again: to be held now, its record not yet written (nothing in the future).
    h.convene(referrals, scheduled_for=h.now)

    story = h.stories["Jelbert"]
    (jelbert,) = h.family(
        "Jelbert", ("Kerensa", date(1992, 8, 8)), [("Lowen", date(2016, 6, 25), Sex.MALE)]
    )
    referrals = _strategy_referral(
        h, [jelbert], "Lowen told his teacher his father hit him with a belt.",
        story=story, source=ReferralSource.SCHOOLS,
    )  # fmt: skip
    h.held(
        referrals, story, [DiscussionOutcome.SECTION_47_SINGLE],
        rationale="A disclosure of being hit with an implement: a section 47 enquiry.",
        risk="Disclosure is clear and consistent; marks seen by the teacher.",
        views="Lowen says he wants his dad to stop and to stay at home with mum.",
        contributions={
            h.council.pk: "The GP's information, shared by the social worker: no injuries "
            "seen before; immunisations up to date.",
            h.police.pk: "No police record for the family.",
        },
        absences={h.health.pk: HEALTH_ABSENT_REASON},
    )  # fmt: skip  # held without health, awaiting a manager's sign-off


def _enquiries(h: _Holmsey) -> None:
    """Section 47 enquiries in every state, one joint enquiry ending in a plan."""
    # Two siblings, one discussion: one enquiry open, the other's outcome proposed.
    story = h.stories["Nancarrow"]
    held_on = story.held_on
    assert held_on is not None  # noqa: S101  # every story here holds a discussion
    siblings = h.family("Nancarrow", ("Rosenwyn", date(1989, 2, 3)), [
        ("Elestren", date(2012, 3, 30), Sex.FEMALE), ("Hedra", date(2017, 11, 11), Sex.FEMALE),
    ])  # fmt: skip
    referrals = _strategy_referral(
        h, siblings, "Police found the girls alone at home overnight, the house very cold.",
        story=story, source=ReferralSource.POLICE,
    )  # fmt: skip
    discussion = h.held(
        referrals, story, [DiscussionOutcome.SECTION_47_SINGLE] * 2,
        rationale="Left alone overnight more than once: a section 47 enquiry for each girl.",
        risk="Repeated lack of supervision of a young child.",
        views="Elestren says she looks after Hedra when mum works nights.",
        actions=[("Visit the home and see both girls", "Social worker", h.council, held_on)],
    )  # fmt: skip
    h.sign_off(discussion, story)
    h.allocate(referrals, h.practitioner2, story)
    _, hedra = h.enquiries(referrals)
    h.propose_outcome(
        hedra,
        EnquiryOutcome.NO_CONTINUING_RISK,
        "Substantiated, but mother has arranged childcare with her sister.",
        story,
    )  # the older girl's enquiry stays open

    # Outcome signed off, continuing risk, the conference target passed: overdue.
    story = h.stories["Trewhella"]
    (trewhella,) = h.family(
        "Trewhella", ("Senara", date(1993, 9, 9)), [("Kenan", date(2019, 1, 15), Sex.MALE)]
    )
    referrals = _strategy_referral(
        h, [trewhella], "Hospital: Kenan brought in with a fracture the story does not explain.",
        story=story, source=ReferralSource.A_AND_E,
    )  # fmt: skip
    h.sign_off(h.held(
        referrals, story, [DiscussionOutcome.SECTION_47_SINGLE],
        rationale="An unexplained fracture in a young child.",
        risk="Injury inconsistent with the account given.", views="Too young to say.",
    ), story)  # fmt: skip
    h.allocate(referrals, h.practitioner, story)
    (enquiry,) = h.enquiries(referrals)
    h.propose_outcome(
        enquiry,
        EnquiryOutcome.CONTINUING_RISK,
        "Skeletal survey found an older healed fracture: continuing risk.",
        story,
    )
    h.sign_off_outcome(enquiry, story)  # the conference is not yet held, and it is overdue

    # Not substantiated: closed, conference not required.
    story = h.stories["Polglase"]
    (polglase,) = h.family(
        "Polglase", ("Ebrel", date(1987, 4, 27)), [("Gwen", date(2013, 8, 19), Sex.FEMALE)]
    )
    referrals = _strategy_referral(
        h, [polglase], "Gwen told a friend's mother that her uncle touched her.",
        story=story, source=ReferralSource.ACQUAINTANCE,
    )  # fmt: skip
    h.sign_off(h.held(
        referrals, story, [DiscussionOutcome.SECTION_47_SINGLE],
        rationale="A possible sexual harm disclosure: a section 47 enquiry.",
        risk="Unclear disclosure; the uncle lives elsewhere.",
        views="Gwen says she was misunderstood and feels safe.",
    ), story)  # fmt: skip
    h.allocate(referrals, h.practitioner2, story)
    (enquiry,) = h.enquiries(referrals)
    h.propose_outcome(
        enquiry,
        EnquiryOutcome.NOT_SUBSTANTIATED,
        "Gwen's account at the visit and the friend's mother agree: a misunderstanding.",
        story,
    )
    h.sign_off_outcome(enquiry, story)  # closed: conference not required

    # A joint enquiry with the police, ending in an initial conference and a plan.
    story = h.stories[MARKER_SURNAME]
    held_on = story.held_on
    assert held_on is not None and story.conference is not None  # noqa: S101  # as above
    (carveth,) = h.family(
        MARKER_SURNAME, ("Jowanna", date(1995, 12, 1)), [("Arthek", date(2018, 7, 4), Sex.MALE)]
    )
    referrals = _strategy_referral(
        h, [carveth], "Police at a domestic incident saw burns on Arthek's hands.",
        story=story, source=ReferralSource.POLICE,
    )  # fmt: skip
    h.sign_off(h.held(
        referrals, story, [DiscussionOutcome.SECTION_47_JOINT],
        rationale="Burns and domestic abuse: a joint enquiry with the police.",
        risk="Burns consistent with a hot iron; domestic abuse in the home.",
        views="Arthek said 'hot' and pointed to the kitchen.", school=True,
        contributions=h.contributions() | {h.school.pk: "Nursery attendance is good."},
        actions=[
            ("Joint visit and interview of the mother", "Detective constable", h.police,
             held_on),
            ("Child protection medical", "Named nurse for safeguarding", h.health, held_on),
        ],
    ), story)  # fmt: skip
    h.allocate(referrals, h.practitioner, story)
    (enquiry,) = h.enquiries(referrals)
    h.propose_outcome(
        enquiry,
        EnquiryOutcome.CONTINUING_RISK,
        "The medical found the burns non-accidental: continuing risk of significant harm.",
        story,
    )
    enquiry = h.sign_off_outcome(enquiry, story)
    with at(min(_at(story.conference, 16), h.now)):
        services.conference_record(
            by=h.chair, section47=enquiry, held_on=story.conference,
            agencies=[h.council, h.police, h.health, h.school], plan=True,
            category=CategoryOfAbuse.PHY,
            summary="A child protection plan under physical abuse; the first core group "
            "within 10 working days.",
        )  # fmt: skip


def _previous_census_year(h: _Holmsey) -> None:
    """A family whose episodes began and ended in the previous census year (1 April to 31
    March), so that the demo's CIN census has children in need in that year as well as in
    this one (issue 22): an assessment that found nothing (factor 21, closed RC8) and a
    referral with no further action, each step at its story's moment (demo/schedule.py)."""
    story = h.stories["Angove"]
    lowenna, piran = h.family(
        "Angove", ("Morvoren", date(1990, 1, 19)),
        [("Lowenna", date(2014, 6, 12), Sex.FEMALE), ("Piran", date(2020, 2, 1), Sex.MALE)],
    )  # fmt: skip
    with at(story.received):
        for child, upn in ((lowenna, "921200114004"), (piran, "921200120011")):
            referral_services.child_update(
                by=h.practitioner, child=child, version=child.version,
                disabilities=["NONE"], upn=upn_check_letter("A" + upn) + upn,
            )  # fmt: skip
    older, younger = h.referrals(
        [lowenna, piran], "School: Lowenna said her brother was left in the car while their "
        "mother shopped.", story=story, source=ReferralSource.SCHOOLS,
        worker=h.practitioner, manager=h.manager, level=h.level3,
    )  # fmt: skip
    older = h.next_steps(
        older, NextSteps.ASSESSMENT, "Assess the family's care of both children.",
        worker=h.practitioner, manager=h.manager, primary_need=PrimaryNeed.N4, story=story,
    )  # fmt: skip
    assessment = Assessment.objects.get(referral=older, state=AssessmentState.OPEN)
    with at(story.assessed):
        assessment = referral_services.assessment_complete(
            by=h.practitioner, assessment=assessment, factors=[AssessmentFactor.F21],
            analysis="A one-off lapse; the children are well cared for.",
            version=assessment.version, child_seen=True, needs_support=False,
        )  # fmt: skip
    with at(story.authorised):
        referral_services.assessment_authorise(by=h.manager, assessment=assessment)
    assert story.closed is not None and story.next_steps_signed_off  # noqa: S101  # as above
    with at(_at(story.closed, 16)):
        referral_services.referral_close(
            by=h.manager, referral=older, reason=ReasonForClosure.RC8, on=story.closed
        )
    younger = h.next_steps(
        younger, NextSteps.NO_FURTHER_ACTION, "Seen at school and well; nothing more to do.",
        worker=h.practitioner, manager=h.manager, story=story,
    )  # fmt: skip
    closed = timezone.localdate(story.next_steps_signed_off)
    with at(_at(closed, 16)):
        referral_services.referral_close(
            by=h.manager, referral=Referral.objects.get(pk=younger.pk),
            reason=ReasonForClosure.RC7, on=closed,
        )  # fmt: skip


# A restricted record (issue 9) --------------------------------------------------------------

RESTRICTED_CHILD = ("Jenna", "Quiller")
RESTRICTED_REASON = (
    "Jenna's mother works in the council's children's services (fictional): the record is "
    "open only to the practitioner and manager who hold the case."
)


def load_restricted() -> int:
    """Restrict Jenna Quiller's record (once only): `manager` and `practitioner` may open it;
    `practitioner2` and `auditor` give a reason first. Returns how many were restricted."""
    child = Child.objects.filter(
        first_name=RESTRICTED_CHILD[0], last_name=RESTRICTED_CHILD[1]
    ).first()
    if child is None or Restriction.objects.filter(child=child).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["manager", "practitioner"])}
    child_restrict(
        by=users["manager"], child=child, reason=RESTRICTED_REASON,
        allowed=[users["manager"], users["practitioner"]],
    )  # fmt: skip
    return 1


POLICE_PART = (
    "Two call-outs to the address this year for shouting (fictional); no arrests. The officer "
    "who attended in May noted a bruise on Jago's arm."
)
HEALTH_PART = "Jago missed his two-year health review; the health visitor could not get in."
SHARED_NOTE = "The nursery has agreed to tell the social worker if Jago is absent (fictional)."


def load_partner_parts() -> int:
    """The police and health record their parts in the Rosewarne discussion that is still to
    be held, a note is shared with everyone invited, and the grants on the cancelled one have
    ended (an expired grant). Once only; returns how many parts were recorded."""
    discussions = StrategyDiscussion.objects.filter(children__child__last_name="Rosewarne")
    current = discussions.filter(state=DiscussionState.CONVENED).first()
    cancelled = discussions.filter(state=DiscussionState.CANCELLED).first()
    if current is None or current.participants.filter(recorded_by__isnull=False).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["police", "health"])}
    with transaction.atomic():
        for username, text in (("police", POLICE_PART), ("health", HEALTH_PART)):
            user = users[username]
            participant = current.participants.get(agency_id=user.agency_id)
            partners.contribution_record(
                by=user, participant=participant, version=participant.version,
                attendance=Attendance.ATTENDED, attendees=f"{user.get_full_name()}",
                absence_reason="", contribution=text, audience=ContributionAudience.INVITED,
            )  # fmt: skip
        practitioner = User.objects.get(username="practitioner")
        note_add(
            by=practitioner, child=current.children.get().child, discussion=current,
            text=SHARED_NOTE, audience=Note.Audience.INVITED,
        )  # fmt: skip
        if cancelled is not None:
            for participant in cancelled.participants.select_related("agency"):
                if partners.is_partner(participant.agency):
                    sharing.set_expiry(
                        obj=cancelled, permission=partners.DISCUSSION_PERMISSION,
                        agency=participant.agency, expires_at=timezone.now() - timedelta(days=1),
                    )  # fmt: skip
            sharing.expire_grants()
    return 2
