from django.urls import path

from notes import views

app_name = "notes"

urlpatterns = [
    path("children/<int:pk>/chronology/", views.chronology, name="chronology"),
    path("children/<int:pk>/chronology.pdf", views.chronology_pdf, name="chronology-pdf"),
    path("children/<int:pk>/chronology/new/", views.chronology_entry_add, name="entry-add"),
    path(
        "children/<int:pk>/chronology/<int:entry_pk>/correct/",
        views.chronology_entry_correct,
        name="entry-correct",
    ),
    path(
        "strategy-discussions/<int:pk>/chronology/",
        views.discussion_chronology,
        name="discussion-chronology",
    ),
]
