"""The note moves from `referrals` to `notes`, keeping its identity (issue 14).

The database keeps the rows: the table `referrals_note` is renamed `notes_note` (its indexes
and constraints keep their names; Django finds them by introspection), and the content type
row is renamed in place, so its id stays what object permissions, sharing records, role
permissions and audit entries (whose hash covers the id) point at; audit entries are never
rewritten. The permission named by sharing records ("referrals.view_note") and a key
rotation checkpoint follow the model's label. The text keeps its sealing context (`sealed_as`).
`referrals.0013_note_moved_to_notes` then removes the note from referrals' state only.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import accounts.encryption


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    moving = ContentType.objects.using(db).filter(app_label=old, model="note")
    if (
        moving.exists()
        and ContentType.objects.using(db).filter(app_label=new, model="note").exists()
    ):
        raise RuntimeError(
            f"Both {old}.note and {new}.note content types exist: the {old}.note row (the one "
            f"permissions, sharing records and audit entries point at) must be renamed to "
            f"{new}.note, so remove the empty {new}.note row first."
        )
    moving.update(app_label=new)
    ContentType.objects.clear_cache()
    # Sharing records name the permission as guardian does, "app_label.codename".
    SharingRecord = apps.get_model("accounts", "SharingRecord")
    for action in ("add", "change", "delete", "view"):
        SharingRecord.objects.using(db).filter(permission=f"{old}.{action}_note").update(
            permission=f"{new}.{action}_note"
        )
    Checkpoint = apps.get_model("accounts", "KeyRotationCheckpoint")
    Checkpoint.objects.using(db).filter(model_label=f"{old}.Note").update(model_label=f"{new}.Note")


def content_type_to_notes(apps, schema_editor):
    _relabel(apps, schema_editor, "referrals", "notes")


def content_type_to_referrals(apps, schema_editor):
    _relabel(apps, schema_editor, "notes", "referrals")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_sharing_records"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("referrals", "0012_partner_referrals_and_restrictions"),
        ("strategy", "0002_partner_participation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Note",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "text",
                            accounts.encryption.EncryptedTextField(sealed_as="referrals.Note.text"),
                        ),
                        ("significant", models.BooleanField(default=False)),
                        (
                            "audience",
                            models.CharField(
                                choices=[
                                    ("la", "The local authority only"),
                                    ("invited", "Everyone invited to the strategy discussion"),
                                ],
                                default="la",
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "child",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="notes",
                                to="referrals.child",
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="notes",
                                to="referrals.contact",
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="notes",
                                to="referrals.referral",
                            ),
                        ),
                        (
                            "discussion",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="notes",
                                to="strategy.strategydiscussion",
                            ),
                        ),
                        (
                            "section47",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="notes",
                                to="strategy.section47",
                            ),
                        ),
                        (
                            "supersedes",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="superseded_by",
                                to="notes.note",
                            ),
                        ),
                    ],
                    # The table it has until the next operation renames it.
                    options={"ordering": ["-created_at", "-pk"], "db_table": "referrals_note"},
                ),
            ],
            database_operations=[],
        ),
        # referrals_note -> notes_note (SQLite and PostgreSQL rename the table in place).
        migrations.AlterModelTable(name="note", table=None),
        migrations.RunPython(content_type_to_notes, content_type_to_referrals, elidable=False),
    ]
