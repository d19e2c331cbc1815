"""`manage.py load_demo` puts the front door's demo data in place (demo/front_door.py): the
information requests to health and the school, and the police officer's partner referrals."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from accounts.models import User
from accounts.sharing import SharingDecision, SharingRecord
from casework import access
from demo.front_door import load_cases, load_information_requests, load_levels
from demo.people import HEALTH, SCHOOL, load_demo
from referrals.models.information_requests import InformationRequest, RequestState
from referrals.models.partner_referrals import PartnerReferral, PartnerReferralState
from referrals.services.partner_referrals import feedback_for


def test_the_demo_has_an_answered_request_to_health_and_an_outstanding_one_to_the_school(db):
    load_demo()
    load_levels()
    load_cases()
    assert load_information_requests() == 3
    assert load_information_requests() == 0  # idempotent
    answered = InformationRequest.objects.get(agency__name=HEALTH)
    assert answered.state == RequestState.ANSWERED and answered.answered_by.username == "health"
    assert (answered.child.first_name, answered.child.last_name) == ("Ria", "Nance")
    outstanding = InformationRequest.objects.get(agency__name=SCHOOL)
    assert outstanding.state == RequestState.OPEN
    assert outstanding.child.last_name == "Penhallow"
    assert InformationRequest.objects.count() == 2
    shares = SharingRecord.objects.filter(permission="referrals.view_informationrequest")
    assert {record.agency.name for record in shares} == {HEALTH, SCHOOL}
    declined = SharingRecord.objects.get(decision=SharingDecision.NOT_SHARED)
    assert declined.agency.name == SCHOOL and declined.child_ref == answered.child.census_id


def test_the_demo_police_officer_has_one_referral_with_feedback_and_one_waiting(db, settings):
    settings.DEBUG = True
    call_command("load_demo", history_children=0, stdout=StringIO())
    call_command("load_demo", history_children=0, stdout=StringIO())  # once only
    referrals = list(PartnerReferral.objects.filter(submitted_by__username="police"))
    assert len(referrals) == 2
    recorded, waiting = sorted(referrals, key=lambda r: r.state != PartnerReferralState.RECORDED)
    assert recorded.state == PartnerReferralState.RECORDED and feedback_for(recorded)
    assert waiting.state == PartnerReferralState.SUBMITTED and waiting.immediate_risk
    police_lead = User.objects.get(username="police_lead")
    assert set(access.partner_referrals_for(police_lead)) == set(referrals)
