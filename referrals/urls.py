from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("front-door/", views.queue, name="queue"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("administration/local-data/", views.local_data, name="local-data"),
    path(
        "administration/closure-days/<int:pk>/remove/",
        views.closure_day_remove,
        name="closure-day-remove",
    ),
    path("administration/levels-of-need/new/", views.level_edit, name="level-new"),
    path("administration/levels-of-need/<int:pk>/", views.level_edit, name="level"),
]
