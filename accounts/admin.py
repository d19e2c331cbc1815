from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Agency, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(User)
class FrontDoorUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "is_active"]
    list_filter = ["agency", "groups", "is_active"]
    list_select_related = ["agency"]
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]  # django-stubs types it optional; UserAdmin sets it
        ("Agency", {"fields": ["agency"]}),
    )
    add_fieldsets = ((None, {"fields": ["username", "agency", "password1", "password2"]}),)

    def get_readonly_fields(self, request, obj=None):
        # Nobody changes their own roles or rights, here either.
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["groups", "user_permissions", "is_superuser", "is_staff", "is_active"]
        return readonly

    def has_delete_permission(self, request, obj=None):
        # Users are deactivated, never deleted: the audit trail names them.
        return False
