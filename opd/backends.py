"""Admin BKPSDM manage the portal's data in the admin panel by their role, not by
per-model permission rows that an installation would have to keep in sync."""

from django.contrib.auth.backends import ModelBackend

ADMIN_APPS = {"opd", "skp", "reminders", "tpp", "reports", "helpdesk", "identity", "auditlog"}


class RoleBackend(ModelBackend):
    def _is_bkpsdm(self, user_obj) -> bool:
        return user_obj.is_active and getattr(user_obj, "role", None) == "admin_bkpsdm"

    def has_perm(self, user_obj, perm, obj=None):
        if self._is_bkpsdm(user_obj):
            app_label, _, codename = perm.partition(".")
            # The audit trail is read-only for everyone, BKPSDM included.
            if app_label == "auditlog":
                return codename.startswith("view_")
            return app_label in ADMIN_APPS
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if self._is_bkpsdm(user_obj) and app_label in ADMIN_APPS:
            return True
        return super().has_module_perms(user_obj, app_label)
