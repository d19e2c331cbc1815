from django.apps import AppConfig
from django.urls import reverse_lazy


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Children, contacts and referrals"

    def ready(self) -> None:
        from accounts import sessions  # defines a model: importable once the apps are ready
        from referrals.services.partner_referrals import NEW_CONTACT  # imports models: as above

        # A half-finished contact is a record of work begun (issue 19): listed for its author
        # until recorded or discarded, never expired with other drafts.
        sessions.lasting_draft(f"wizard:{NEW_CONTACT}")
        sessions.lasting_draft(reverse_lazy("referrals:contact-new"))
        sessions.lasting_draft(reverse_lazy("referrals:contact-new-check"))
