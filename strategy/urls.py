from django.urls import path  # the two page modules add their paths below

from strategy import enquiry_views, partner_views, views  # used as the paths are added

app_name = "strategy"

urlpatterns = [
    # Strategy discussions (strategy/views.py)
    path("strategy-discussions/", views.discussions, name="discussions"),
    path("strategy-discussions/<int:pk>/", views.discussion, name="discussion"),
    path(
        "referrals/<int:referral_pk>/strategy-discussions/new/",
        views.discussion_new,
        name="discussion-new",
    ),
    path(
        "strategy-discussions/<int:pk>/record/",
        views.discussion_record,
        name="discussion-record",
    ),
    path(
        "strategy-discussions/<int:pk>/agencies/",
        views.discussion_invite,
        name="discussion-invite",
    ),
    path(
        "strategy-discussions/<int:pk>/actions/",
        views.discussion_action_add,
        name="discussion-action-add",
    ),
    path(
        "strategy-discussions/<int:pk>/actions/<int:action_pk>/remove/",
        views.discussion_action_remove,
        name="discussion-action-remove",
    ),
    path("strategy-discussions/<int:pk>/check/", views.discussion_check, name="discussion-check"),
    path(
        "strategy-discussions/<int:pk>/notes/",
        views.discussion_note_add,
        name="discussion-note-add",
    ),
    path(
        "strategy-discussions/<int:pk>/review/",
        views.discussion_review,
        name="discussion-review",
    ),
    path(
        "strategy-discussions/<int:pk>/review/check/",
        views.discussion_sign_off,
        name="discussion-sign-off",
    ),
    path(
        "strategy-discussions/<int:pk>/cancel/",
        views.discussion_cancel,
        name="discussion-cancel",
    ),
    # Section 47 enquiries and initial conferences (strategy/enquiry_views.py)
    path("section-47-enquiries/", enquiry_views.section47_list, name="section47s"),
    path("section-47-enquiries/<int:pk>/", enquiry_views.section47_detail, name="section47"),
    path(
        "section-47-enquiries/<int:pk>/notes/",
        enquiry_views.section47_note_add,
        name="section47-note-add",
    ),
    path(
        "section-47-enquiries/<int:pk>/propose/",
        enquiry_views.section47_propose,
        name="section47-propose",
    ),
    path(
        "section-47-enquiries/<int:pk>/propose/check/",
        enquiry_views.section47_propose_check,
        name="section47-propose-check",
    ),
    path(
        "section-47-enquiries/<int:pk>/review/",
        enquiry_views.section47_review,
        name="section47-review",
    ),
    path(
        "section-47-enquiries/<int:pk>/sign-off/check/",
        enquiry_views.section47_sign_off_check,
        name="section47-sign-off-check",
    ),
    path(
        "section-47-enquiries/<int:pk>/conference/",
        enquiry_views.conference_record,
        name="section47-conference",
    ),
    # Partner agencies' invitations (strategy/partner_views.py)
    path("invitations/", partner_views.invitations, name="invitations"),
    path("invitations/<int:pk>/", partner_views.invitation, name="invitation"),
    path("invitations/<int:pk>/your-part/", partner_views.invitation_part, name="invitation-part"),
    path("invitations/<int:pk>/notes/", partner_views.invitation_note_add, name="invitation-note"),
    path(
        "invitations/<int:pk>/actions/<int:action_pk>/done/",
        partner_views.invitation_action_done,
        name="invitation-action-done",
    ),
    path("joint-enquiries/<int:pk>/", partner_views.joint_enquiry, name="joint-enquiry"),
]
