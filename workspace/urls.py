from django.urls import path

from workspace.views import audit_trail, home, notices, work

app_name = "workspace"

urlpatterns = [
    path("", home.home, name="home"),
    path("notices/", notices.notices, name="notices"),
    path("my-work/caseload/<int:worker_id>/", work.caseload, name="caseload"),
    path("my-work/<slug:key>/", work.work_list, name="work-list"),
    path("notices/read/", notices.notices_read, name="notices-read"),
    path("notices/<int:pk>/read/", notices.notice_read, name="notice-read"),
    path(
        "audit/records/<str:model_label>/<str:object_pk>/",
        audit_trail.audit_record,
        name="audit-record",
    ),
    path("audit/children/<str:child_ref>/", audit_trail.audit_child, name="audit-child"),
    path("audit/users/<int:user_id>/", audit_trail.audit_user, name="audit-user"),
]
