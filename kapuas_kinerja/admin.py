from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows only the portal's services write (sync runs, the outbox, finalisations): read here, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
