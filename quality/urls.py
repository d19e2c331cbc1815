from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("quality-audits/", views.audit_list, name="list"),
    path("quality-audits/new/", views.audit_assign, name="assign"),
    path("quality-audits/questions/", views.questions, name="questions"),
    path(
        "quality-audits/questions/<int:pk>/retire/", views.question_retire, name="question-retire"
    ),
    path("quality-audits/<int:pk>/", views.audit_detail, name="detail"),
    path("quality-audits/<int:pk>/record/", views.audit_record, name="record"),
    path(
        "quality-audits/<int:pk>/actions/<int:action_pk>/done/",
        views.action_done,
        name="action-done",
    ),
]
