"""A signed-off strategy discussion keeps its sign-off time (issue 20): rows signed off
without one (bulk-loaded data) take the latest time the record has (recorded as held, held,
convened), then the database refuses any other."""

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Coalesce


def date_the_sign_offs(apps, schema_editor):
    StrategyDiscussion = apps.get_model("strategy", "StrategyDiscussion")
    StrategyDiscussion.objects.filter(state="signed_off", reviewed_at__isnull=True).update(
        reviewed_at=Coalesce("recorded_at", "held_at", "convened_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0005_discussion_record_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(date_the_sign_offs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="strategydiscussion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "signed_off"), _negated=True),
                    ("reviewed_at__isnull", False),
                    _connector="OR",
                ),
                name="signed_off_discussion_has_reviewed_at",
            ),
        ),
    ]
