from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("email-preferences/", views.preferences, name="preferences"),
    path("administration/email-failures/", views.failures, name="failures"),
]
