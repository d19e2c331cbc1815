"""Every initial conference that decided a plan becomes an open child protection plan, starting
on the conference's date with its category as the initial and latest category; a child's
earlier plans are counted, and only the child's latest plan stays open (one open plan each)."""

from django.db import migrations


def plans_from_conferences(apps, schema_editor):
    conference_model = apps.get_model("strategy", "InitialConference")
    plan_model = apps.get_model("strategy", "ChildProtectionPlan")
    conferences = conference_model.objects.filter(
        plan=True, child_protection_plan__isnull=True
    ).order_by("child_id", "held_on", "pk")
    by_child: dict[int, list] = {}
    for conference in conferences:
        by_child.setdefault(conference.child_id, []).append(conference)
    for child_id, held in by_child.items():
        earlier = plan_model.objects.filter(child_id=child_id).count()
        for number, conference in enumerate(held):
            last = number == len(held) - 1
            plan_model.objects.create(
                child_id=child_id, conference=conference, start_date=conference.held_on,
                initial_category=conference.category, latest_category=conference.category,
                previous_plans=earlier + number,
                # Only the latest stays open: an earlier one ends when the next one starts.
                state="open" if last else "ended",
                end_date=None if last else held[number + 1].held_on,
            )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("strategy", "0003_child_protection_plans")]

    operations = [migrations.RunPython(plans_from_conferences, migrations.RunPython.noop)]
