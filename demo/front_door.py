"""The front door's demo data (fictional authority): the continuum of need, the contacts and
decisions of the demo families, information requests to partners, and the police officer's
partner referrals. Loaded by `manage.py load_demo` after `demo.people`; idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, User
from accounts.sharing import (
    Article6Basis,
    ConsentPosition,
    SharingDecision,
    SharingRecord,
    SpecialCondition,
    decline,
)
from accounts.sharing_views import CHILD_RECORD
from demo.people import HEALTH, SCHOOL
from referrals import services
from referrals.codes import ReferralSource, Sex
from referrals.models import Child, Person, Relationship
from referrals.models.contacts import ContactChild, ContactChildState, LevelOfNeed, Outcome
from referrals.models.information_requests import InformationRequest, Priority
from referrals.models.partner_referrals import PartnerReferral
from referrals.services.partner_referrals import (
    ReferredChild,
    partner_referral_record,
    partner_referral_submit,
)

LEVELS = [
    ("Level 1: universal", "Needs met by universal services: schools, GPs, health visitors."),
    ("Level 2: early help", "Additional needs met by early help with the family's consent."),
    ("Level 3: child in need", "Complex needs: a section 17 assessment by children's social care."),
    ("Level 4: child protection", "Reasonable cause to suspect significant harm: section 47."),
]


def load_levels() -> int:
    created = 0
    for order, (name, description) in enumerate(LEVELS, start=1):
        created += LevelOfNeed.objects.get_or_create(
            name=name, defaults={"description": description, "order": order}
        )[1]
    return created


def load_cases() -> int:
    """Demo families through the real services (idempotent: once only). Fictional people.

    A family of three children (one decision returned, one proposed, one signed off), an
    urgent case, an overdue contact, an out-of-hours contact entered the next morning, and a
    LADO case.
    """
    if Child.objects.filter(last_name="Penhallow").exists():
        return 0
    worker = User.objects.get(username="practitioner")
    manager = User.objects.get(username="manager")
    level3 = LevelOfNeed.objects.get(name="Level 3: child in need")
    level2 = LevelOfNeed.objects.get(name="Level 2: early help")
    now = timezone.now()

    def record(children, concern, *, received, source, urgent=False, taken_by=None):
        return services.contact_record(
            by=worker,
            received_at=received,
            taken_by=taken_by or worker,
            source=source,
            concern=concern,
            consent=ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE if urgent else ConsentPosition.GIVEN,
            children=children,
            urgent=urgent,
            referrer_name="Demo referrer",
            referrer_agency="Demo agency",
        )

    def decide(contact_child, outcome, level, rationale):
        services.decision_propose(
            childs_voice="Says she feels safe with her aunt",
            by=worker,
            contact_child=contact_child,
            outcome=outcome,
            level_of_need=level,
            rationale=rationale,
        )
        return ContactChild.objects.get(pk=contact_child.pk)

    with transaction.atomic():
        mum = Person.objects.create(
            first_name="Kerenza", last_name="Penhallow", date_of_birth=date(1991, 6, 2)
        )
        family = [
            Child.objects.create(
                first_name=name, last_name="Penhallow", date_of_birth=born, sex=sex
            )
            for name, born, sex in (
                ("Jory", date(2013, 4, 9), Sex.MALE),
                ("Tamsin", date(2016, 1, 22), Sex.FEMALE),
                ("Morwenna", date(2021, 8, 30), Sex.FEMALE),
            )
        ]
        for child in family:
            Relationship.objects.create(child=child, person=mum, kind=Relationship.Kind.MOTHER)
        contact = record(
            family,
            "School reports the children often arrive hungry and unwashed.",
            received=now - timedelta(hours=5),
            source=ReferralSource.SCHOOLS,
        )
        jory, tamsin, morwenna = contact.children.order_by("child__date_of_birth")
        returned = decide(
            jory, Outcome.NO_FURTHER_ACTION, level2, "Older child says things are fine."
        )
        services.decision_return(
            by=manager,
            contact_child=returned,
            comment="Look at the school's history before deciding.",
        )
        decide(tamsin, Outcome.EARLY_HELP, level2, "Neglect indicators; mother willing to engage.")
        signed = decide(morwenna, Outcome.EARLY_HELP, level2, "Youngest, same home, same needs.")
        services.decision_sign_off(by=User.objects.get(username="manager2"), contact_child=signed)

        urgent_child = Child.objects.create(
            first_name="Kit", last_name="Trevail", date_of_birth=date(2019, 2, 11)
        )
        urgent = record(
            [urgent_child],
            "Police attended: child found with unexplained burns.",
            received=now - timedelta(hours=1),
            source=ReferralSource.POLICE,
            urgent=True,
        )
        decide(urgent.children.get(), Outcome.STRATEGY_NOW, level3, "Injury to a young child.")

        overdue_child = Child.objects.create(
            first_name="Ria", last_name="Nance", date_of_birth=date(2012, 10, 3)
        )
        overdue = record(
            [overdue_child],
            "Health visitor worried about mother's low mood.",
            received=now - timedelta(days=6),
            source=ReferralSource.HEALTH_VISITOR,
        )
        del overdue  # its decision was due days ago: the queue shows it overdue

        night_child = Child.objects.create(
            first_name="Denzel", last_name="Rowe", date_of_birth=date(2010, 7, 7)
        )
        last_night = (now - timedelta(days=1)).replace(hour=23, minute=15)
        record(
            [night_child],
            "Out of hours: teenager reported missing, found at 2am.",
            received=last_night,
            source=ReferralSource.POLICE,
            taken_by=User.objects.get(username="practitioner2"),
        )

        lado_child = Child.objects.create(
            first_name="Elowen", last_name="Hosking", date_of_birth=date(2014, 5, 5)
        )
        lado = record(
            [lado_child],
            "Pupil says a coach grabbed her arm hard at training.",
            received=now - timedelta(hours=3),
            source=ReferralSource.OTHER,
        )
        lado_cc = decide(
            lado.children.get(),
            Outcome.LADO,
            level3,
            "Allegation about an adult working with children.",
        )
        services.decision_sign_off(by=manager, contact_child=lado_cc)
    return 5


def load_information_requests() -> int:
    """Demo information requests through the real services (idempotent): the practitioner asks
    the NHS trust about Ria Nance (answered by `health`) and the school about Jory Penhallow
    (outstanding), and records a decision not to share Ria's mother's health with the school.
    Returns how many sharing records it made."""
    worker = User.objects.filter(username="practitioner").first()
    agencies = {agency.name: agency for agency in Agency.objects.filter(name__in=[HEALTH, SCHOOL])}
    if worker is None or len(agencies) < 2:
        return 0
    made = 0
    basis = {
        "article6": Article6Basis.PUBLIC_TASK, "condition": SpecialCondition.SAFEGUARDING,
    }  # fmt: skip
    asks = [
        (("Ria", "Nance"), HEALTH, Priority.AMBER, ConsentPosition.GIVEN, True,
         "Mother agreed by phone that we ask her GP and health visitor.",
         "Is Ria's mother known to mental health services, and has Ria missed health "
         "appointments this year?",
         "Mother is open to the community mental health team since March. Ria missed her "
         "last two school nurse reviews."),
        (("Jory", "Penhallow"), SCHOOL, Priority.RED,
         ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE, False,
         "Asking would alert the family before we know whether the children are safe.",
         "Jory was at St Bride's until last summer: any concerns then about hunger, hygiene or "
         "attendance?", ""),
    ]  # fmt: skip
    with transaction.atomic():
        for (first, last), agency_name, priority, consent, told, note, question, answer in asks:
            agency = agencies[agency_name]
            contact_child = (
                ContactChild.objects.filter(
                    child__first_name=first, child__last_name=last,
                    state=ContactChildState.SCREENING,
                ).order_by("pk").first()
            )  # fmt: skip
            if (
                contact_child is None
                or InformationRequest.objects.filter(
                    child_id=contact_child.child_id, agency=agency
                ).exists()
            ):
                continue
            request = services.information_request_send(
                by=worker, contact_child=contact_child, agency=agency, question=question,
                consent=consent, family_told=told, family_note=note, priority=priority, **basis,
            )  # fmt: skip
            made += 1
            if answer:
                responder = User.objects.get(username="health")
                services.information_request_answer(by=responder, request=request, answer=answer)
        ria = ContactChild.objects.filter(child__first_name="Ria", child__last_name="Nance").first()
        if (
            ria is not None
            and not SharingRecord.objects.filter(
                child_ref=ria.child.census_id, decision=SharingDecision.NOT_SHARED
            ).exists()
        ):
            decline(
                by=worker, obj=ria.child, permission=CHILD_RECORD, agency=agencies[SCHOOL],
                child_ref=ria.child.census_id, article6=Article6Basis.PUBLIC_TASK,
                consent=ConsentPosition.REFUSED, family_told=True,
                family_note="Mother was told the school will hear only that support is planned.",
                reason="Asked for or considered: why Ria has been absent and what is happening "
                "at home.\nWhy it is not shared: the detail of her mother's health is not "
                "needed for the school's part; the school is told support is being arranged.",
            )  # fmt: skip
            made += 1
    return made


# Partner referrals (issue 9): the police officer's two referrals.
PARTNER_CONTACTS = 1  # the contacts load_partner_referrals records


def load_partner_referrals() -> int:
    """The police officer `police` has made two referrals (idempotent: once only): one the
    front door recorded as a contact, decided and gave feedback on, and one, with a child at
    immediate risk, waiting in the queue. Fictional people. Returns how many it made."""
    police = User.objects.filter(username="police").first()
    if police is None or PartnerReferral.objects.filter(submitted_by=police).exists():
        return 0
    worker = User.objects.get(username="practitioner")
    manager = User.objects.get(username="manager")
    level2 = LevelOfNeed.objects.get(name="Level 2: early help")
    role = "Police constable, Holmsey public protection unit"
    with transaction.atomic():
        recorded = partner_referral_submit(
            by=police,
            children=[
                ReferredChild("Kensa", "Chenoweth", date(2017, 3, 14), "4 Harbour Row", "HM2 4TR")
            ],
            concern="Officers attended a loud argument between Kensa's mother and her partner "
            "at 22:40 last night. No assault was reported, but Kensa was awake and crying, and "
            "told an officer that it happens a lot.",
            immediate_risk=False,
            adults="Mother: Lowenna Chenoweth. Her partner, Jago Bolitho, stays most nights.",
            consent=ConsentPosition.GIVEN,
            consent_note="",
            family_told=True,
            referrer_role=role,
            referrer_contact="pete.lawson@example.invalid",
        )
        kensa = Child.objects.create(
            first_name="Kensa", last_name="Chenoweth", date_of_birth=date(2017, 3, 14),
            sex=Sex.FEMALE, address="4 Harbour Row", postcode="HM2 4TR",
        )  # fmt: skip
        contact = services.contact_record(
            by=worker, received_at=recorded.submitted_at, taken_by=worker,
            source=ReferralSource.POLICE, concern=recorded.concern, consent=recorded.consent,
            children=[kensa], referrer_name=police.get_full_name(), referrer_role=role,
            referrer_agency=police.agency.name,
        )  # fmt: skip
        partner_referral_record(by=worker, partner_referral=recorded, contact=contact)
        services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
            by=worker, contact_child=contact.children.get(), outcome=Outcome.EARLY_HELP,
            level_of_need=level2,
            rationale="First police call-out known; mother asks for help with the arguments.",
        )  # fmt: skip
        signed = ContactChild.objects.get(contact=contact)
        services.decision_sign_off(by=manager, contact_child=signed, comment="Agreed.")
        services.feedback_record(
            by=worker, contact_child=ContactChild.objects.get(pk=signed.pk),
            feedback_given=True,
            feedback_note="Thank you for your referral. Kensa's mother has accepted early help: "
            "a family support worker will visit this week. Please refer again if officers are "
            "called to the home.",
            family_told=True, family_note="Mother told by phone; she agreed to early help.",
        )  # fmt: skip
        partner_referral_submit(
            by=police,
            children=[
                ReferredChild("Elowyn", "Trewin", date(2019, 8, 2), "Flat 2, 9 Chapel Street"),
                ReferredChild("Tristan", "Trewin", None, "Flat 2, 9 Chapel Street"),
            ],
            concern="Neighbours called us at 01:00: two young children alone in the flat. "
            "Their mother came home at 02:30, intoxicated. The children are with their "
            "grandmother tonight under police protection.",
            immediate_risk=True,
            adults="Mother: Tamsyn Trewin. Grandmother: Wenna Trewin, 12 Fore Street.",
            consent=ConsentPosition.NOT_SOUGHT_CANNOT_REASONABLY_BE_OBTAINED,
            consent_note="Mother was too intoxicated to discuss it; we will tell her today.",
            family_told=False,
            referrer_role=role,
            referrer_contact="pete.lawson@example.invalid",
        )
    return 2
