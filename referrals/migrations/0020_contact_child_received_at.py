"""The contact's received time and decision date copied onto each of its children (issue 21): the queue and the
home pages sort and count open rows on it under a partial index on the open states."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_received_at(apps, schema_editor):
    ContactChild = apps.get_model("referrals", "ContactChild")
    Contact = apps.get_model("referrals", "Contact")
    contact = Contact.objects.filter(pk=OuterRef("contact_id"))
    ContactChild.objects.filter(received_at__isnull=True).update(
        received_at=Subquery(contact.values("received_at")[:1]),
        decision_due=Subquery(contact.values("decision_due")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0019_assessment_child_seen_and_needs_support")]

    operations = [
        migrations.AddField(
            model_name="contactchild",
            name="received_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="contactchild",
            name="decision_due",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(copy_received_at, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="contactchild",
            name="received_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="contactchild",
            name="decision_due",
            field=models.DateField(),
        ),
        migrations.AddIndex(
            model_name="contactchild",
            index=models.Index(
                condition=models.Q(("state__in", ["screening", "proposed", "signed_off"])),
                fields=["received_at", "id"],
                name="contact_child_open_received",
            ),
        ),
    ]
