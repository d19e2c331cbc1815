from django.urls import path

from referrals import episode_views, lado_views, partner_referral_views, request_views, views
from referrals.restriction_views import (
    break_glass,
    restricted_records,
    restriction,
    restriction_lift,
)

app_name = "referrals"

urlpatterns = [
    path("front-door/", views.queue, name="queue"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    path("children/<int:pk>/details/", views.child_edit, name="child-edit"),
    path("children/<int:pk>/allocate/", views.child_allocate, name="child-allocate"),
    path("administration/teams/", views.team_add, name="team-add"),
    path("children/<int:pk>/notes/", views.note_add, name="note-add"),
    path("children/<int:pk>/notes/<int:note_pk>/correct/", views.note_correct, name="note-correct"),
    path("children/<int:pk>/households/", views.household_add, name="household-add"),
    path("children/<int:pk>/not-shared/", views.child_not_shared, name="child-not-shared"),
    path(
        "children/<int:pk>/households/<int:household_pk>/leave/",
        views.household_leave,
        name="household-leave",
    ),
    path("contacts/new/", views.contact_new, name="contact-new"),
    path("contacts/new/children/", views.contact_new_children, name="contact-new-children"),
    path("contacts/new/adults/", views.contact_new_adults, name="contact-new-adults"),
    path("contacts/new/check/", views.contact_new_check, name="contact-new-check"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("contacts/<int:pk>/notes/", views.contact_note_add, name="contact-note-add"),
    path("contacts/<int:pk>/children/<int:cc_pk>/", views.decision, name="decision"),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/screening-notes/",
        views.screening_notes,
        name="screening-notes",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/propose/",
        views.decision_propose,
        name="decision-propose",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/check/", views.decision_check, name="decision-check"
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/review/",
        views.decision_review,
        name="decision-review",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/feedback/",
        views.decision_feedback,
        name="decision-feedback",
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/close/", views.decision_close, name="decision-close"
    ),
    path(
        "contacts/<int:pk>/children/<int:cc_pk>/information-requests/new/",
        request_views.information_request_new,
        name="information-request-new",
    ),
    path("information-requests/", request_views.information_requests, name="information-requests"),
    path(
        "information-requests/<int:pk>/",
        request_views.information_request,
        name="information-request",
    ),
    path("administration/local-data/", views.local_data, name="local-data"),
    path(
        "administration/closure-days/<int:pk>/remove/",
        views.closure_day_remove,
        name="closure-day-remove",
    ),
    path("administration/levels-of-need/new/", views.level_edit, name="level-new"),
    path("administration/levels-of-need/<int:pk>/", views.level_edit, name="level"),
    # Restricted children (referrals/restriction_views.py)
    path("children/<int:pk>/restricted/", break_glass, name="child-restricted"),
    path("children/<int:pk>/restriction/", restriction, name="child-restriction"),
    path("children/<int:pk>/restriction/lift/", restriction_lift, name="child-restriction-lift"),
    path("restricted-records/", restricted_records, name="restricted-records"),
    # The LADO service's inbox (referrals/lado_views.py)
    path("lado/", lado_views.lado_inbox, name="lado-inbox"),
    path("lado/<int:pk>/", lado_views.lado_referral, name="lado-referral"),
    # Referrals and assessments (referrals/episode_views.py)
    path("referrals/", episode_views.referral_list, name="referrals"),
    path("referrals/<int:pk>/", episode_views.referral_detail, name="referral"),
    path("referrals/<int:pk>/notes/", episode_views.referral_note_add, name="referral-note-add"),
    path(
        "referrals/<int:pk>/next-steps/",
        episode_views.next_steps_propose,
        name="referral-propose",
    ),
    path(
        "referrals/<int:pk>/next-steps/check/",
        episode_views.next_steps_check,
        name="referral-propose-check",
    ),
    path("referrals/<int:pk>/review/", episode_views.next_steps_review, name="referral-review"),
    path(
        "referrals/<int:pk>/review/check/",
        episode_views.next_steps_review_check,
        name="referral-review-check",
    ),
    path("referrals/<int:pk>/close/", episode_views.referral_close, name="referral-close"),
    path("assessments/<int:pk>/", episode_views.assessment_detail, name="assessment"),
    path(
        "assessments/<int:pk>/complete/",
        episode_views.assessment_complete,
        name="assessment-complete",
    ),
    path(
        "assessments/<int:pk>/authorise/",
        episode_views.assessment_authorise,
        name="assessment-authorise",
    ),
    path(
        "assessments/<int:pk>/authorise/check/",
        episode_views.assessment_authorise_check,
        name="assessment-authorise-check",
    ),
    # Partner referrals (referrals/partner_referral_views.py)
    path("my-referrals/", partner_referral_views.my_referrals, name="my-referrals"),
    path("my-referrals/new/", partner_referral_views.my_referral_new, name="my-referral-new"),
    path(
        "my-referrals/new/check/",
        partner_referral_views.my_referral_check,
        name="my-referral-check",
    ),
    path("my-referrals/<int:pk>/", partner_referral_views.my_referral, name="my-referral"),
    path(
        "my-referrals/<int:pk>/sent/",
        partner_referral_views.my_referral_sent,
        name="my-referral-sent",
    ),
    path(
        "partner-referrals/<int:pk>/",
        partner_referral_views.partner_referral,
        name="partner-referral",
    ),
    path(
        "partner-referrals/<int:pk>/record/",
        partner_referral_views.partner_referral_record,
        name="partner-referral-record",
    ),
]
