from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/<slug:slug>/", views.report, name="report"),
    path("reports/<slug:slug>/download.<str:fmt>", views.download, name="download"),
]
