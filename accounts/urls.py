from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("sign-in/security-code/", views.second_factor, name="second-factor"),
    path("sign-in/set-up-app/", views.enrol, name="enrol"),
    path("sign-in/backup-codes/", views.backup_codes, name="backup-codes"),
    path("session/keep-alive/", views.keep_alive, name="keep-alive"),
    path("drafts/", views.save_draft, name="save-draft"),
    path("drafts/discard/", views.discard_draft, name="discard-draft"),
    path(
        "audit/records/<str:model_label>/<str:object_pk>/", views.audit_record, name="audit-record"
    ),
    path("audit/children/<str:child_ref>/", views.audit_child, name="audit-child"),
    path("audit/users/<int:user_id>/", views.audit_user, name="audit-user"),
]
