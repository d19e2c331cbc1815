from django.apps import AppConfig
from django.urls import reverse_lazy


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Children, contacts and referrals"

    def ready(self) -> None:
        # Imported here: both modules define models, importable only once the apps are ready.
        from accounts import sessions
        from referrals.services.partner_referrals import NEW_CONTACT

        # A half-finished contact is a record of work begun (issue 19): listed for its author
        # until recorded or discarded, never expired with other drafts.
        sessions.lasting_draft(f"wizard:{NEW_CONTACT}")
        sessions.lasting_draft(reverse_lazy("referrals:contact-new"))
        sessions.lasting_draft(reverse_lazy("referrals:contact-new-check"))
