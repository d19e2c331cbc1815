from __future__ import annotations

from django.urls import path

from returns import views

app_name = "returns"

urlpatterns = [
    path("returns/data-quality/", views.data_quality, name="data-quality"),
    path("returns/children/<int:pk>/census/", views.child_census, name="child-census"),
    path("returns/", views.exports, name="exports"),
    path("returns/<int:pk>/", views.export, name="export"),
    path("returns/<int:pk>/download/", views.export_download, name="export-download"),
]
