from django.contrib.auth.management import create_permissions
from django.db import migrations


def give_reports(apps, schema_editor):
    """Managers and auditors read the reports and carry out quality audits (issue 21; the
    permission is new, see accounts/roles.py)."""
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="accounts",
        content_type__model="globalpermission",
        codename="read_reports",
    )
    for name in ("Manager", "Auditor"):
        Group.objects.get(name=name).permissions.add(permission)


def take_it_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=["Manager", "Auditor"]):
        group.permissions.remove(*Permission.objects.filter(codename="read_reports"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0014_data_officer_role"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="globalpermission",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("view_case_records", "See the local authority's case records"),
                    ("record_contacts", "Record contacts and screen them"),
                    ("propose_decisions", "Propose decisions"),
                    ("request_information", "Ask partner agencies for information"),
                    ("convene_strategy_discussions", "Convene and record strategy discussions"),
                    ("run_section_47_enquiries", "Run section 47 enquiries"),
                    ("sign_off_decisions", "Sign off or return decisions proposed by others"),
                    ("allocate_work", "Allocate a child's work to a worker in a team"),
                    ("chair_conferences", "Chair initial child protection conferences"),
                    ("make_referrals", "Make referrals and follow their status and feedback"),
                    (
                        "answer_information_requests",
                        "Answer information requests sent to your agency",
                    ),
                    (
                        "take_part_in_strategy_discussions",
                        "Take part in strategy discussions you are invited to",
                    ),
                    ("see_agency_work", "See everything your agency submitted or was sent"),
                    (
                        "read_all_case_records",
                        "Read every case record (restricted records need a reason)",
                    ),
                    ("read_audit_trail", "Read the audit trail"),
                    ("read_reports", "Read management reports and carry out quality audits"),
                    ("manage_users", "Manage users and agencies"),
                    (
                        "manage_local_data",
                        "Manage local data such as closure days and levels of need",
                    ),
                    (
                        "prepare_returns",
                        "Prepare statutory returns: census fields, data quality and exports",
                    ),
                ],
            },
        ),
        migrations.RunPython(give_reports, take_it_back),
    ]
