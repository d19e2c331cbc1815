"""Demo local data for the front door (fictional authority): the continuum of need."""

from __future__ import annotations

from referrals.contacts import LevelOfNeed

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
    from datetime import date, timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from referrals import services
    from referrals.codes import ConsentPosition, ReferralSource, Sex
    from referrals.contacts import ContactChild, Outcome
    from referrals.models import Child, Person, Relationship

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
