# A note's subject may also be a strategy discussion or a section 47 enquiry.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0008_open_referrals_index"),
        ("strategy", "0001_discussions_and_enquiries"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="discussion",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notes",
                to="strategy.strategydiscussion",
            ),
        ),
        migrations.AddField(
            model_name="note",
            name="section47",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notes",
                to="strategy.section47",
            ),
        ),
    ]
