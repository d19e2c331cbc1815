from django.urls import path

from accounts import password_reset, sharing_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("sign-in/security-code/", views.second_factor, name="second-factor"),
    path("sign-in/set-up-app/", views.enrol, name="enrol"),
    path("sign-in/backup-codes/", views.backup_codes, name="backup-codes"),
    path("password-reset/", password_reset.ResetRequestView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/", password_reset.ResetSentView.as_view(), name="password-reset-done"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset.ResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        password_reset.ResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("session/keep-alive/", views.keep_alive, name="keep-alive"),
    path("drafts/", views.save_draft, name="save-draft"),
    path("drafts/discard/", views.discard_draft, name="discard-draft"),
    path("administration/users/", views.users, name="users"),
    path("administration/users/new/", views.user_new, name="user-new"),
    path("administration/users/<int:user_id>/", views.user_detail, name="user"),
    path(
        "administration/users/<int:user_id>/<slug:action>/", views.user_action, name="user-action"
    ),
    path("administration/account-changes/", views.account_changes, name="account-changes"),
    path(
        "administration/account-changes/<int:pk>/<slug:action>/",
        views.account_change_action,
        name="account-change-action",
    ),
    path("administration/actions/", views.administrators_actions, name="administrators-actions"),
    path(
        "account-changes/report/<str:token>/",
        views.account_change_report,
        name="account-change-report",
    ),
    path("administration/agencies/", views.agencies, name="agencies"),
    path("administration/agencies/new/", views.agency_edit, name="agency-new"),
    path("administration/agencies/<int:agency_id>/", views.agency_edit, name="agency"),
    # Information sharing records, for managers and auditors (accounts/sharing_views.py)
    path("sharing/", sharing_views.sharing_records, name="sharing"),
    path("sharing/<int:pk>/end/", sharing_views.sharing_end, name="sharing-end"),
]
