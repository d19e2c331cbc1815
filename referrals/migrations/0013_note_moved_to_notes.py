"""The note now lives in `notes` (notes.0001_note_moved_from_referrals renamed its table and
content type): it leaves referrals' state only; the database is not touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0012_partner_referrals_and_restrictions"),
        ("notes", "0001_note_moved_from_referrals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Note")],
            database_operations=[],
        ),
    ]
