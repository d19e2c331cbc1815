"""Create the roles of DESIGN.md as groups with their rights.

The mapping is frozen here, as a migration must be; `tests/accounts/test_roles.py` keeps the
database equal to `accounts.roles.ROLE_PERMISSIONS`, so a later change of rights comes with a
migration of its own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PRACTITIONER = [
    "view_case_records",
    "record_contacts",
    "propose_decisions",
    "request_information",
    "convene_strategy_discussions",
    "run_section_47_enquiries",
]
PARTNER = ["make_referrals", "answer_information_requests", "take_part_in_strategy_discussions"]

ROLES = {
    "Practitioner": PRACTITIONER,
    "Manager": [*PRACTITIONER, "sign_off_decisions", "read_audit_trail"],
    "Conference chair": ["view_case_records", "chair_conferences"],
    "Partner practitioner": PARTNER,
    "Partner safeguarding lead": [*PARTNER, "see_agency_work"],
    "Auditor": ["read_all_case_records", "read_audit_trail"],
    "System administrator": ["manage_users", "manage_local_data"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="accounts",
            content_type__model="globalpermission",
            codename__in=codenames,
        )
        if permissions.count() != len(codenames):
            raise RuntimeError(f"Missing permissions for role {name!r}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
