from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.encryption import (
    RotationProgress,
    keyring,
    models_with_encrypted_fields,
    reseal_model,
)


class Command(BaseCommand):
    help = (
        "Re-seal every encrypted value with the first key of FIELD_ENCRYPTION_KEYS, in batches. "
        "Resumable: a rerun continues after the last committed batch of each model. Afterwards "
        "the old keys can be removed from FIELD_ENCRYPTION_KEYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--restart", action="store_true", help="Ignore checkpoints and scan everything again."
        )

    def handle(self, *args, batch_size: int, restart: bool, **options):
        primary = keyring().primary
        self.stdout.write(f"Sealing with key {primary.label!r} ({primary.fingerprint}).")
        total_resealed = remaining = 0
        for model in models_with_encrypted_fields():
            result = reseal_model(
                model, batch_size=batch_size, restart=restart, on_batch=self._report
            )
            if result.skipped_as_complete:
                self.stdout.write(f"{result.model_label}: already done with this key.")
            else:
                self.stdout.write(
                    f"{result.model_label}: {result.resealed} values re-sealed "
                    f"({result.total} rows)."
                )
            total_resealed += result.resealed
            remaining += result.remaining
        if remaining:
            raise CommandError(
                f"{remaining} values are still sealed with an old key (changed during this run, "
                "or written by a process still using an old key): run the command again, and "
                "keep the old keys until it ends without this message."
            )
        self.stdout.write(self.style.SUCCESS(f"Done: {total_resealed} values re-sealed."))

    def _report(self, progress: RotationProgress) -> None:
        self.stdout.write(
            f"  {progress.model_label}: {progress.scanned} of {progress.total} rows scanned "
            f"this run, {progress.resealed} values re-sealed"
        )
