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

    # Accounts are created and changed on the administration pages, where every change that hands
    # out access needs a second person (issue 16); here they can only be read, so this is no way
    # round that rule (nor round "nobody changes their own roles").
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Users are deactivated, never deleted: the audit trail names them.
        return False
