"""Django's createsuperuser, with the agency named rather than numbered.

`manage.py createsuperuser --noinput --username root --email root@example.gov.uk
--agency "Holmsey Council"` (or DJANGO_SUPERUSER_AGENCY): every user belongs to an agency, and
a name is what an operator knows. A number is still taken, as Django's own command takes it.
This command replaces Django's because accounts comes before django.contrib.auth in
INSTALLED_APPS.
"""

from __future__ import annotations

import environ
from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError

from accounts.models import Agency

AGENCY_VARIABLE = "DJANGO_SUPERUSER_AGENCY"


class Command(createsuperuser.Command):
    help = "Create a superuser in an agency named by --agency (its name, or its number)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        for action in parser._actions:  # Django's own option, made from REQUIRED_FIELDS
            if action.dest == "agency":
                action.help = 'The agency\'s name, e.g. --agency "Holmsey Council"'

    def handle(self, *args, **options) -> None:
        named = options.get("agency") or environ.Env().str(AGENCY_VARIABLE, default="")
        if named:
            options["agency"] = str(self._agency(named.strip()).pk)
        super().handle(*args, **options)

    @staticmethod
    def _agency(named: str) -> Agency:
        agency = Agency.objects.filter(name__iexact=named).first()
        if agency is None and named.isdigit():
            agency = Agency.objects.filter(pk=int(named)).first()
        if agency is None:
            known = ", ".join(Agency.objects.order_by("name").values_list("name", flat=True))
            raise CommandError(
                f'No agency is named "{named}". '
                + (f"The agencies are: {known}." if known else "There are no agencies yet.")
            )
        return agency
