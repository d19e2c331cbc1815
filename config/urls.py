from django.contrib import admin
from django.urls import include, path

from accounts.views import healthz

admin.site.site_header = "Front Door administration"
admin.site.site_title = "Front Door administration"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("workspace.urls")),
    path("", include("referrals.urls")),
    path("", include("strategy.urls")),
    path("", include("returns.urls")),
    path("", include("notes.urls")),
    path("", include("quality.urls")),
    path("", include("reports.urls")),
    path("", include("notifications.urls")),
]
