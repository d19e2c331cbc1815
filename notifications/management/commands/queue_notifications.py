from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = (
        "Turn the outbox's new events and the new in-app notices into queued e-mails (the job "
        "worker does this every 2 minutes, and sends them; --send sends them now too)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--send", action="store_true", help="Send what is due now as well.")

    def handle(self, *args, send: bool = False, **options):
        events = 0
        while handled := services.queue_from_outbox():
            events += handled
        notices = services.queue_from_notices()
        line = f"Queued the e-mails of {events} event(s) and {notices} notice(s)."
        if send:
            line += f" Sent {services.send_due()}."
        self.stdout.write(line)
