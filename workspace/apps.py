from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """What each person sees first and the trail of who did what: the home page and the
    audit-trail pages, above the case models and the case-work kernel (issue 14)."""

    name = "workspace"
    verbose_name = "Home page and audit trail"
