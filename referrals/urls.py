from django.urls import path

from referrals.views import (
    assessments,
    children,
    contacts,
    decisions,
    episodes,
    front_door,
    information_requests,
    lado,
    local_data,
    partner_referrals,
    people,
    restrictions,
    search,
)

app_name = "referrals"

urlpatterns = [
    path("front-door/", front_door.queue, name="queue"),
    path("search/", search.search, name="search"),
    path("children/<int:pk>/", children.child_detail, name="child"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("children/<int:pk>/details/", children.child_edit, name="child-edit"),
    path("children/<int:pk>/allocate/", children.child_allocate, name="child-allocate"),
    path("administration/teams/", local_data.team_add, name="team-add"),
    path("administration/duty-manager/", local_data.duty_manager_set, name="duty-manager-set"),
    path("children/<int:pk>/notes/", children.note_add, name="note-add"),
    path(
        "children/<int:pk>/notes/<int:note_pk>/correct/", children.note_correct, name="note-correct"
    ),
    path("children/<int:pk>/households/", children.household_add, name="household-add"),
    path("children/<int:pk>/not-shared/", children.child_not_shared, name="child-not-shared"),
    path(
        "children/<int:pk>/households/<int:household_pk>/leave/",
        children.household_leave,
        name="household-leave",
    ),
    path("contacts/new/", contacts.contact_new, name="contact-new"),
    path("contacts/new/matches/", contacts.contact_matches, name="contact-matches"),
    path("contacts/new/check/", contacts.contact_new_check, name="contact-new-check"),
    path("contacts/new/discard/", contacts.contact_new_discard, name="contact-new-discard"),
    path("contacts/<int:pk>/", front_door.contact_detail, name="contact"),
    path("contacts/<int:pk>/notes/", front_door.contact_note_add, name="contact-note-add"),
    path("contacts/<int:pk>/sign-off/", decisions.contact_sign_off, name="contact-sign-off"),
    path("contacts/<int:pk>/children/<int:cc_pk>/", decisions.decision, name="decision"),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/screening-notes/",
        decisions.screening_notes,
        name="screening-notes",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/propose/",
        decisions.decision_propose,
        name="decision-propose",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/check/",
        decisions.decision_check,
        name="decision-check",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/review/",
        decisions.decision_review,
        name="decision-review",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/feedback/",
        decisions.decision_feedback,
        name="decision-feedback",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/close/",
        decisions.decision_close,
        name="decision-close",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/information-requests/new/",
        information_requests.information_request_new,
        name="information-request-new",
    ),
    path(
        "information-requests/",
        information_requests.information_requests,
        name="information-requests",
    ),
    path(
        "information-requests/<int:pk>/",
        information_requests.information_request,
        name="information-request",
    ),
    path("administration/local-data/", local_data.local_data, name="local-data"),
    path(
        "administration/closure-days/<int:pk>/remove/",
        local_data.closure_day_remove,
        name="closure-day-remove",
    ),
    path("administration/levels-of-need/new/", local_data.level_edit, name="level-new"),
    path("administration/levels-of-need/<int:pk>/", local_data.level_edit, name="level"),
    # Restricted children (referrals/views/restrictions.py)
    path("children/<int:pk>/restricted/", restrictions.break_glass, name="child-restricted"),
    path("children/<int:pk>/restriction/", restrictions.restriction, name="child-restriction"),
    path(
        "children/<int:pk>/restriction/lift/",
        restrictions.restriction_lift,
        name="child-restriction-lift",
    ),
    path("restricted-records/", restrictions.restricted_records, name="restricted-records"),
    # The LADO service's inbox (referrals/views/lado.py)
    path("lado/", lado.lado_inbox, name="lado-inbox"),
    path("lado/<int:pk>/", lado.lado_referral, name="lado-referral"),
    # Referrals and assessments (referrals/views/episodes.py)
    path("referrals/", episodes.referral_list, name="referrals"),
    path("referrals/<int:pk>/", episodes.referral_detail, name="referral"),
    path("referrals/<int:pk>/notes/", episodes.referral_note_add, name="referral-note-add"),
    path(
        "referrals/<int:pk>/next-steps/",
        episodes.next_steps_propose,
        name="referral-propose",
    ),
    path(
        "referrals/<int:pk>/next-steps/check/",
        episodes.next_steps_check,
        name="referral-propose-check",
    ),
    path("referrals/<int:pk>/review/", episodes.next_steps_review, name="referral-review"),
    path(
        "referrals/<int:pk>/review/check/",
        episodes.next_steps_review_check,
        name="referral-review-check",
    ),
    path("referrals/<int:pk>/close/", episodes.referral_close, name="referral-close"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment"),
    path(
        "assessments/<int:pk>/complete/",
        assessments.assessment_complete,
        name="assessment-complete",
    ),
    path(
        "assessments/<int:pk>/authorise/",
        assessments.assessment_authorise,
        name="assessment-authorise",
    ),
    path(
        "assessments/<int:pk>/authorise/check/",
        assessments.assessment_authorise_check,
        name="assessment-authorise-check",
    ),
    # Partner referrals (referrals/views/partner_referrals.py)
    path("my-referrals/", partner_referrals.my_referrals, name="my-referrals"),
    path("my-referrals/new/", partner_referrals.my_referral_new, name="my-referral-new"),
    path(
        "my-referrals/new/check/",
        partner_referrals.my_referral_check,
        name="my-referral-check",
    ),
    path("my-referrals/<int:pk>/", partner_referrals.my_referral, name="my-referral"),
    path(
        "my-referrals/<int:pk>/sent/",
        partner_referrals.my_referral_sent,
        name="my-referral-sent",
    ),
    path(
        "partner-referrals/<int:pk>/",
        partner_referrals.partner_referral,
        name="partner-referral",
    ),
    path(
        "partner-referrals/<int:pk>/record/",
        partner_referrals.partner_referral_record,
        name="partner-referral-record",
    ),
]
