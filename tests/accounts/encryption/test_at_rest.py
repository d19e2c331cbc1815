"""No plaintext of a sealed value anywhere in the database's bytes: table, audit trail, free pages.

Every model with encrypted fields is filled here; the later issues add their models to
`SEALED_EXAMPLES` so that this test covers each new encrypted field.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest
from django.db import connection

from accounts.encryption import models_with_encrypted_fields
from accounts.models import AccountChange, Agency, FormDraft, User
from accounts.sessions import save_draft
from accounts.sharing import SharingRecord
from notes import services as note_services
from notes.models import ChronologyEntry, Note, SharedChronologyEntry
from quality.models import QualityAudit, QualityAuditAction
from referrals.models import LadoReferral
from referrals.models.contacts import Contact, ContactChild, ContactDecision, ScreeningNotesVersion
from referrals.models.episodes import Assessment, ReferralDecision
from referrals.models.information_requests import InformationRequest
from referrals.models.partner_referrals import PartnerReferral
from referrals.models.restrictions import BreakGlass, Restriction
from strategy.models import (
    Action,
    ChildProtectionPlan,
    DiscussionChild,
    DiscussionRecordVersion,
    EnquiryOutcomeDecision,
    InitialConference,
    Participant,
    PlanReview,
    StrategyDiscussion,
)
from tests.standins.models import SealedNote

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PLAIN_MARKER = "PLAIN-REFERENCE-7731"
LADO_NOTE = "SECRET-LADOOUTCOME-5190 employer warned"
PARTNER_REFERRAL = {
    "referrer_role": "SECRET-PRROLE-5171 detective sergeant",
    "referrer_contact": "SECRET-PRCALLBACK-5172 07700 900123",
    "concern": "SECRET-PRCONCERN-5173 child hit with belt",
    "adults": "SECRET-PRADULTS-5174 stepfather drinks",
    "consent_note": "SECRET-PRCONSENT-5175 would alert him",
}
# An invited agency's part in a discussion, the history and note shared with it.
PARTNER_PARTS = [
    "SECRET-SHAREDHISTORY-5181 two earlier contacts",
    "SECRET-SHARINGFAMILY-5182 parents not told",
    "SECRET-POLICEPART-5183 call-outs in May",
    "SECRET-PARTNERNOTE-5184 nursery absence",
]
# Restricted children: why a record is restricted, why it was opened, why it was lifted.
RESTRICTED_PARTS = [
    "SECRET-RESTRICTED-5191 mother works here",
    "SECRET-BREAKGLASS-5192 police call tonight",
    "SECRET-LIFTED-5193 mother has left",
]
# The chronology (issue 20): a manual entry and its correction, an entry shared into a
# discussion, the chronology a discussion kept as reviewed.
QUALITY_PARTS = [
    "SECRET-QAFINDING-5301 the voice was missing",
    "SECRET-QAACTION-5302 ask the school again",
    "SECRET-QARESPONSE-5303 done on Monday",
]
CHRONOLOGY_PARTS = [
    "SECRET-CHRONENTRY-5211 fall at gran's",
    "SECRET-CHRONCORRECTED-5212 fall at school",
    "SECRET-CHRONREVIEWED-5213 three contacts",
]
# A requested new email address (issue 16): personal data, sealed until it takes effect.
NEW_EMAIL = "SECRET-NEWEMAIL-5201@example.invalid"

SECRETS = [
    "SECRET-CONCERN-4471 she said he hurts her",
    "SECRET-ANSWER-9183 known to GP",
    "SECRET-DRAFT-5529 half typed",
    "SECRET-CONTACT-6612 burns on hands",
    "SECRET-REFERRER-7720 Mrs Secretname",
    "SECRET-RATIONALE-8841 repeated injuries",
    "SECRET-RETURN-3390 check history",
    "SECRET-FEEDBACK-2284 told the nurse",
    "SECRET-SCREENING-1175 known to police",
    "SECRET-NOTE-6048 dad back home",
    "SECRET-NEXTSTEPS-5150 mother drinks",
    "SECRET-NEXTRETURN-5151 more history",
    "SECRET-ANALYSIS-5152 father violent",
    "SECRET-AUTHORISED-5153 agreed factors",
    "SECRET-RISK-5154 bruises on back",
    "SECRET-VIEWS-5155 scared of dad",
    "SECRET-SAFETY-5156 stays at gran's",
    "SECRET-CONTRIBUTION-5157 police log",
    "SECRET-ABSENT-5158 nurse on leave",
    "SECRET-CHILDDECISION-5159 enquiry needed",
    "SECRET-ACTION-5160 visit school",
    "SECRET-OUTCOME-5161 continuing risk",
    "SECRET-CONFERENCE-5162 plan agreed",
    "SECRET-CANCEL-5163 child moved away",
    "SECRET-SIGNOFF-5164 agreed",
    "SECRET-SHAREREASON-5165 police need it",
    "SECRET-FAMILYTOLD-5166 mother told",
    "SECRET-QUESTION-5167 any call-outs",
    "SECRET-INFOANSWER-5168 two call-outs",
    "SECRET-INFOFAMILY-5169 father not told",
    LADO_NOTE,
    "SECRET-VOICE-5170 scared of the new partner",
    "SECRET-SAFETYREASON-5171 enquiry covers it",
    "SECRET-NEXTSAFETY-5172 moved out",
    "SECRET-PLANREVIEW-5173 core group working",
    "SECRET-PLANEND-5174 risk reduced",
    *PARTNER_REFERRAL.values(),
    *PARTNER_PARTS,
    *RESTRICTED_PARTS,
    NEW_EMAIL,
    *CHRONOLOGY_PARTS,
    *QUALITY_PARTS,
]


def fill_every_encrypted_model() -> None:
    note = SealedNote.objects.create(reference=PLAIN_MARKER, body=SECRETS[0], answer="draft")
    note.answer = SECRETS[1]  # an update too: the old value must not linger either
    note.save()
    user = User.objects.create(
        username="drafter", agency=Agency.objects.create(name="A", kind="other")
    )
    save_draft(user=user, path="/form/", fields={"body": SECRETS[2]})
    fill_contact_models()
    fill_episode_models()
    fill_sharing_records()
    fill_information_requests()
    fill_lado_referrals()
    fill_partner_referrals()
    fill_partner_parts()
    fill_restricted_records()
    fill_account_changes()
    fill_quality_audits()
    # Every model with an encrypted field must be filled by this function.
    assert set(models_with_encrypted_fields()) <= {
        SealedNote, FormDraft, Contact, ContactChild, ContactDecision, Note, ReferralDecision,
        Assessment, StrategyDiscussion, DiscussionChild, Participant, Action,
        EnquiryOutcomeDecision, InitialConference, SharingRecord, InformationRequest,
        LadoReferral, PartnerReferral, Restriction, BreakGlass, AccountChange,
        ChildProtectionPlan, PlanReview, ScreeningNotesVersion, DiscussionRecordVersion,
        ChronologyEntry, SharedChronologyEntry, QualityAudit, QualityAuditAction,
    }  # fmt: skip


def fill_quality_audits() -> None:
    """A quality audit of a signed-off decision, recorded with findings and an action, and
    answered by the worker (issue 21), through the services."""
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.roles import Role
    from quality import services as quality_services
    from quality.models import Grade, SubjectKind
    from tests.referrals.factories import signed_off

    council = Agency.objects.create(name="Audited council", kind="local_authority")

    def make_user_with_role(role: Role, *, username: str) -> User:
        user = User.objects.create(username=username, agency=council)
        user.groups.add(Group.objects.get(name=role.value))
        return user

    worker = make_user_with_role(Role.PRACTITIONER, username="qa-worker")
    decision = signed_off(by=worker, signer=make_user_with_role(Role.MANAGER, username="qa-signer"))
    auditor = make_user_with_role(Role.AUDITOR, username="qa-auditor")
    audit = quality_services.quality_audit_assign(
        by=make_user_with_role(Role.MANAGER, username="qa-manager"),
        kind=SubjectKind.CONTACT_DECISION, pk=decision.pk, auditor=auditor,
        due=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    audit = quality_services.quality_audit_record(
        by=auditor, audit=audit, version=audit.version, answers={}, grade=Grade.GOOD,
        findings=QUALITY_PARTS[0], complete=True,
        actions=[quality_services.ActionInput(
            description=QUALITY_PARTS[1], owner=worker,
            due=timezone.localdate() + timedelta(days=7),
        )],
    )  # fmt: skip
    quality_services.quality_audit_respond(by=worker, audit=audit, response=QUALITY_PARTS[2])


def fill_contact_models() -> None:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from referrals import services
    from referrals.codes import ConsentPosition, ReferralSource
    from referrals.models import Child
    from referrals.models.contacts import LevelOfNeed, Outcome

    agency = Agency.objects.create(name="Council", kind="local_authority")
    worker = User.objects.create(username="worker", agency=agency)
    worker.groups.add(Group.objects.get(name="Practitioner"))
    manager = User.objects.create(username="boss", agency=agency)
    manager.groups.add(Group.objects.get(name="Manager"))
    child = Child.objects.create(first_name="A", last_name="B")
    contact = services.contact_record(
        by=worker, received_at=timezone.now(), taken_by=worker, source=ReferralSource.GP,
        concern=SECRETS[3], consent=ConsentPosition.GIVEN, children=[child],
        referrer_name=SECRETS[4],
    )  # fmt: skip
    contact_child = contact.children.get()
    # Saved as a version too (ScreeningNotesVersion), through the service.
    services.screening_notes_save(
        by=worker, contact_child=contact_child, notes=SECRETS[8], version=contact_child.version
    )
    contact_child = ContactChild.objects.get(pk=contact_child.pk)
    level = LevelOfNeed.objects.create(name="Level 2")
    services.decision_propose(
        childs_voice=SECRETS[31], safety_reason=SECRETS[32],
        by=worker, contact_child=contact_child, outcome=Outcome.ADVICE,
                              level_of_need=level, rationale=SECRETS[5])  # fmt: skip
    services.decision_return(by=manager, contact_child=contact_child, comment=SECRETS[6])
    services.decision_propose(
        childs_voice="Says she feels safe with her aunt",
        by=worker, contact_child=contact_child, outcome=Outcome.ADVICE,
                              level_of_need=level, rationale="again")  # fmt: skip
    services.decision_sign_off(by=manager, contact_child=contact_child)
    services.feedback_record(
        by=worker, contact_child=contact_child, feedback_given=True, feedback_note=SECRETS[7],
        family_told=True, family_note="told",
    )  # fmt: skip
    note = note_services.note_add(by=worker, child=child, text="first")
    note_services.note_correct(by=worker, note=note, text=SECRETS[9], significant=True)


def fill_episode_models() -> None:
    from datetime import datetime, time, timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from referrals import services as referral_services
    from referrals.codes import PrimaryNeed
    from referrals.models.episodes import NextSteps
    from strategy import services
    from strategy.models import DiscussionOutcome, EnquiryOutcome
    from tests.strategy import factories

    worker, manager = User.objects.get(username="worker"), User.objects.get(username="boss")
    chair = User.objects.create(username="chair", agency=worker.agency)
    chair.groups.add(Group.objects.get(name="Conference chair"))
    referral = factories.referral(by=worker, signer=manager)
    referral_services.referral_next_steps_propose(
        by=worker, referral=referral, next_steps=NextSteps.ASSESSMENT,
        primary_need=PrimaryNeed.N1, rationale=SECRETS[10], safety_reason=SECRETS[33],
    )  # fmt: skip
    referral_services.referral_next_steps_return(by=manager, referral=referral, comment=SECRETS[11])
    referral_services.referral_next_steps_propose(
        by=worker, referral=referral, next_steps=NextSteps.ASSESSMENT,
        primary_need=PrimaryNeed.N1, rationale="again",
    )  # fmt: skip
    referral_services.referral_next_steps_sign_off(by=manager, referral=referral)
    cancelled = factories.convened(by=worker, referrals=[referral])
    services.discussion_cancel(by=worker, discussion=cancelled, reason=SECRETS[23])
    discussion = factories.convened(by=worker, referrals=[referral])
    participants = list(discussion.participants.select_related("agency"))
    services.discussion_action_add(
        by=worker, discussion=discussion, description=SECRETS[20], owner="PC Plod",
        agency=participants[0].agency, due=timezone.localdate() + timedelta(days=2),
    )  # fmt: skip
    services.discussion_record(
        by=worker, discussion=discussion, version=discussion.version,
        attendance=[
            services.AttendanceRecord(p.pk, "attended", "A person", "", SECRETS[17])
            for p in participants[:2]
        ] + [services.AttendanceRecord(participants[2].pk, "apologies", "", SECRETS[18], "")],
        decisions=[services.ChildDecision(
            discussion.children.get().pk, DiscussionOutcome.SECTION_47_SINGLE, SECRETS[19]
        )],
        held_at=timezone.make_aware(datetime.combine(factories.last_weekday(), time(10))),
        history_reviewed=True,
        history_note="read", childs_views=SECRETS[15], risk_analysis=SECRETS[14],
        police_plan="none", safety_plan=SECRETS[16], legal_action="none", family_told=True,
        family_note="told",
    )  # fmt: skip
    services.discussion_mark_held(
        by=worker, discussion=discussion,
        reviewed_chronology=f'[{{"what": "Contact", "detail": "{CHRONOLOGY_PARTS[2]}"}}]',
    )  # fmt: skip
    services.discussion_sign_off(by=manager, discussion=discussion, comment=SECRETS[24])
    enquiry = referral.section47s.get()
    services.section47_outcome_propose(
        by=worker, section47=enquiry, outcome=EnquiryOutcome.CONTINUING_RISK,
        rationale=SECRETS[21],
    )  # fmt: skip
    services.section47_outcome_sign_off(by=manager, section47=enquiry)
    services.conference_record(
        by=chair, section47=enquiry, held_on=enquiry.start_date, agencies=[], plan=True,
        category="PHY", summary=SECRETS[22],
    )  # fmt: skip
    plan = ChildProtectionPlan.objects.get(child_id=enquiry.child_id)
    services.plan_review_record(
        by=chair, plan=plan, reviewed_on=timezone.localdate(), category="NEG", note=SECRETS[34]
    )
    services.plan_end(by=chair, plan=plan, on=timezone.localdate(), reason=SECRETS[35])
    assessment = enquiry.assessment
    referral_services.assessment_complete(
        by=worker, assessment=assessment, factors=["3B"], analysis=SECRETS[12],
        version=assessment.version,
    )  # fmt: skip
    referral_services.assessment_authorise(by=manager, assessment=assessment, comment=SECRETS[13])


def fill_sharing_records() -> None:
    from accounts import sharing

    worker = User.objects.get(username="worker")
    discussion = StrategyDiscussion.objects.first()
    police = Agency.objects.get(name="Test police")
    sharing.share(
        by=worker, obj=discussion, permission="strategy.view_strategydiscussion", agency=police,
        article6=sharing.Article6Basis.PUBLIC_TASK, consent=sharing.ConsentPosition.GIVEN,
        family_told=True, family_note=SECRETS[26], reason=SECRETS[25],
    )  # fmt: skip
    sharing.decline(
        by=worker, obj=discussion, permission="strategy.view_strategydiscussion",
        agency=Agency.objects.get(name="Test health"), reason=SECRETS[25],
    )  # fmt: skip


def fill_information_requests() -> None:
    from django.contrib.auth.models import Group

    from referrals import services
    from tests.referrals.factories import contact

    worker = User.objects.get(username="worker")
    police = Agency.objects.get(name="Test police")
    officer = User.objects.create(username="officer", agency=police)
    officer.groups.add(Group.objects.get(name="Partner practitioner"))
    contact_child = contact(by=worker).children.get()  # being screened
    request = services.information_request_send(
        by=worker, contact_child=contact_child, agency=police, question=SECRETS[27],
        article6="6(1)(e)", condition="", consent="given", family_told=False,
        family_note=SECRETS[29], priority="red",
    )  # fmt: skip
    services.information_request_answer(by=officer, request=request, answer=SECRETS[28])


def fill_lado_referrals() -> None:
    from django.contrib.auth.models import Group

    from referrals import services
    from referrals.models.contacts import Outcome
    from tests.referrals.factories import signed_off

    worker, manager = User.objects.get(username="worker"), User.objects.get(username="boss")
    lado_service = Agency.objects.create(name="LADO service", kind="lado")
    lado = User.objects.create(username="lado", agency=lado_service)
    lado.groups.add(Group.objects.get(name="Partner practitioner"))
    contact_child = signed_off(by=worker, signer=manager, outcome=Outcome.LADO)
    services.lado_outcome_record(
        by=lado, lado_referral=contact_child.lado_referral, outcome="no_further_action",
        note=LADO_NOTE,
    )  # fmt: skip


def fill_restricted_records() -> None:
    from referrals.models import Child
    from referrals.services import restrictions as restriction_services

    worker, manager = User.objects.get(username="worker"), User.objects.get(username="boss")
    child = Child.objects.create(first_name="R", last_name="C")
    restriction_services.child_restrict(
        by=manager, child=child, reason=RESTRICTED_PARTS[0], allowed=[manager]
    )
    restriction_services.break_glass(by=worker, child=child, reason=RESTRICTED_PARTS[1])
    kept = Child.objects.create(first_name="K", last_name="C")  # stays restricted
    restriction_services.child_restrict(
        by=manager, child=kept, reason=RESTRICTED_PARTS[0], allowed=[manager]
    )
    restriction_services.restriction_lift(by=manager, child=child, reason=RESTRICTED_PARTS[2])


def fill_account_changes() -> None:
    from django.contrib.auth.models import Group

    from accounts import services as account_services

    admins = []
    for name in ("admin-one", "admin-two"):
        admin = User.objects.create(username=name, agency=Agency.objects.get(name="Council"))
        admin.groups.add(Group.objects.get(name="System administrator"))
        admins.append(admin)
    change = account_services.account_change_request(
        by=admins[0], account=User.objects.get(username="worker"), kind="email",
        new_email=NEW_EMAIL, link_base="https://front-door.example",
    )  # fmt: skip
    account_services.account_change_approve(by=admins[1], change=change)


def fill_partner_referrals() -> None:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from referrals import services
    from referrals.models import Child
    from referrals.services.partner_referrals import (
        ReferredChild,
        partner_referral_record,
        partner_referral_submit,
    )

    worker = User.objects.get(username="worker")
    police = Agency.objects.get(name="Test police")
    referrer = User.objects.create(username="referrer", agency=police)
    referrer.groups.add(Group.objects.get(name="Partner practitioner"))
    referral = partner_referral_submit(
        by=referrer, children=[ReferredChild("Pr", "Child")], immediate_risk=False,
        consent="refused", family_told=False, **PARTNER_REFERRAL,
    )  # fmt: skip
    contact = services.contact_record(
        by=worker, received_at=timezone.now(), taken_by=worker, source="6", concern="recorded",
        consent="refused", children=[Child.objects.create(first_name="P", last_name="C")],
    )  # fmt: skip
    partner_referral_record(by=worker, partner_referral=referral, contact=contact)


def fill_partner_parts() -> None:
    from django.utils import timezone

    from accounts.sharing import ConsentPosition
    from notes.models import Note
    from strategy import services
    from strategy.models import Attendance, DiscussionFormat
    from strategy.services import partners
    from tests.strategy import factories

    worker, manager = User.objects.get(username="worker"), User.objects.get(username="boss")
    referral = factories.next_steps_signed_off(by=worker, signer=manager)
    discussion = services.discussion_convene(
        by=worker, referrals=[referral], scheduled_for=timezone.now(),
        format=DiscussionFormat.PHONE, chair=worker, agencies=factories.agencies(),
        sharing_terms=partners.SharingTerms(
            PARTNER_PARTS[0], ConsentPosition.REFUSED, False, PARTNER_PARTS[1]
        ),
    )  # fmt: skip
    officer = User.objects.get(username="officer")  # police (fill_information_requests)
    participant = discussion.participants.get(agency=officer.agency)
    partners.contribution_record(
        by=officer, participant=participant, version=participant.version,
        attendance=Attendance.ATTENDED, attendees="DC", absence_reason="",
        contribution=PARTNER_PARTS[2], audience="invited",
    )  # fmt: skip
    note_services.partner_note_add(
        by=officer, discussion=discussion, child_id=referral.child_id, text=PARTNER_PARTS[3],
        audience=Note.Audience.INVITED,
    )  # fmt: skip
    # A manual chronology entry, corrected, and the correction shared into the discussion.
    from datetime import date

    from notes.chronology import chronology_events

    entry = note_services.chronology_entry_add(
        by=worker, child=referral.child, happened_on=date(2024, 1, 2), source="family",
        text=CHRONOLOGY_PARTS[0],
    )  # fmt: skip
    note_services.chronology_entry_correct(
        by=worker, entry=entry, happened_on=date(2024, 1, 2), source="family",
        text=CHRONOLOGY_PARTS[1],
    )  # fmt: skip
    corrected = [e for e in chronology_events([referral.child_id]) if e.kind == "entry"]
    note_services.discussion_chronology_share(by=worker, discussion=discussion, events=corrected)


@pytest.mark.sqlite
def test_sqlite_database_bytes_hold_no_plaintext(tmp_path):
    assert connection.vendor == "sqlite"
    fill_every_encrypted_model()
    copy = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    data = copy.read_bytes()
    assert PLAIN_MARKER.encode() in data  # the check can see plain text when it is there
    for secret in SECRETS:
        assert secret.split()[0].encode() not in data


@pytest.mark.postgresql
def test_pg_dump_holds_no_plaintext():
    assert connection.vendor == "postgresql"
    fill_every_encrypted_model()
    settings_dict = connection.settings_dict
    command = [
        shutil.which("pg_dump") or "pg_dump",
        "--data-only",
        "--host", settings_dict["HOST"] or "127.0.0.1",
        "--port", str(settings_dict["PORT"] or 5432),
        "--username", settings_dict["USER"] or "postgres",
        settings_dict["NAME"],
    ]  # fmt: skip
    env = {"PGPASSWORD": settings_dict["PASSWORD"] or ""}
    dump = subprocess.run(command, capture_output=True, check=True, env=env, timeout=120).stdout  # noqa: S603  # fixed arguments
    assert PLAIN_MARKER.encode() in dump
    for secret in SECRETS:
        assert secret.split()[0].encode() not in dump
