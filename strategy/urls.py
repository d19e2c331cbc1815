from django.urls import path

from strategy.views import discussions, enquiries, partners, plans

app_name = "strategy"

urlpatterns = [
    # Strategy discussions (strategy/views/discussions.py)
    path("strategy-discussions/", discussions.discussions, name="discussions"),
    path("strategy-discussions/<int:pk>/", discussions.discussion, name="discussion"),
    path(
        "referrals/<int:referral_pk>/strategy-discussions/new/",
        discussions.discussion_new,
        name="discussion-new",
    ),
    path(
        "strategy-discussions/<int:pk>/record/",
        discussions.discussion_record,
        name="discussion-record",
    ),
    path(
        "strategy-discussions/<int:pk>/agencies/",
        discussions.discussion_invite,
        name="discussion-invite",
    ),
    path(
        "strategy-discussions/<int:pk>/actions/",
        discussions.discussion_action_add,
        name="discussion-action-add",
    ),
    path(
        "strategy-discussions/<int:pk>/actions/<int:action_pk>/remove/",
        discussions.discussion_action_remove,
        name="discussion-action-remove",
    ),
    path(
        "strategy-discussions/<int:pk>/check/",
        discussions.discussion_check,
        name="discussion-check",
    ),
    path(
        "strategy-discussions/<int:pk>/notes/",
        discussions.discussion_note_add,
        name="discussion-note-add",
    ),
    path(
        "strategy-discussions/<int:pk>/review/",
        discussions.discussion_review,
        name="discussion-review",
    ),
    path(
        "strategy-discussions/<int:pk>/review/check/",
        discussions.discussion_sign_off,
        name="discussion-sign-off",
    ),
    path(
        "strategy-discussions/<int:pk>/reschedule/",
        discussions.discussion_reschedule,
        name="discussion-reschedule",
    ),
    path(
        "strategy-discussions/<int:pk>/cancel/",
        discussions.discussion_cancel,
        name="discussion-cancel",
    ),
    # Section 47 enquiries and initial conferences (strategy/views/enquiries.py)
    path("section-47-enquiries/", enquiries.section47_list, name="section47s"),
    path("section-47-enquiries/<int:pk>/", enquiries.section47_detail, name="section47"),
    path(
        "section-47-enquiries/<int:pk>/notes/",
        enquiries.section47_note_add,
        name="section47-note-add",
    ),
    path(
        "section-47-enquiries/<int:pk>/propose/",
        enquiries.section47_propose,
        name="section47-propose",
    ),
    path(
        "section-47-enquiries/<int:pk>/propose/check/",
        enquiries.section47_propose_check,
        name="section47-propose-check",
    ),
    path(
        "section-47-enquiries/<int:pk>/review/",
        enquiries.section47_review,
        name="section47-review",
    ),
    path(
        "section-47-enquiries/<int:pk>/sign-off/check/",
        enquiries.section47_sign_off_check,
        name="section47-sign-off-check",
    ),
    path(
        "section-47-enquiries/<int:pk>/conference/",
        enquiries.conference_record,
        name="section47-conference",
    ),
    # Child protection plans (strategy/views/plans.py)
    path("child-protection-plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("child-protection-plans/<int:pk>/review/", plans.plan_review, name="plan-review"),
    path("child-protection-plans/<int:pk>/end/", plans.plan_end, name="plan-end"),
    # Partner agencies' invitations (strategy/views/partners.py)
    path("invitations/", partners.invitations, name="invitations"),
    path("invitations/<int:pk>/", partners.invitation, name="invitation"),
    path("invitations/<int:pk>/your-part/", partners.invitation_part, name="invitation-part"),
    path("invitations/<int:pk>/notes/", partners.invitation_note_add, name="invitation-note"),
    path(
        "invitations/<int:pk>/actions/<int:action_pk>/done/",
        partners.invitation_action_done,
        name="invitation-action-done",
    ),
    path("joint-enquiries/<int:pk>/", partners.joint_enquiry, name="joint-enquiry"),
]
