from django.contrib import admin
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

# What a select offers for "nothing chosen yet", in words instead of Django's "---------".
NOTHING_CHOSEN = _("— choose —")


class NothingChosenInWords:
    """Django's admin offers "---------" for nothing chosen (the action list, a field's choices, a foreign
    key): through the admin's own hooks, every admin of the portal says it in words. Mixed into every
    ModelAdmin and inline the site registers, the libraries' ones included (tests/test_admin_words.py)."""

    def get_action_choices(self, request, default_choices=None):
        if default_choices is None:
            default_choices = [("", NOTHING_CHOSEN)]
        return super().get_action_choices(request, default_choices)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        # Django puts its blank first when the field may stay empty; radio buttons say "None" already.
        choices = list(getattr(field, "choices", None) or [])
        if choices and tuple(choices[0]) == tuple(BLANK_CHOICE_DASH[0]):
            field.choices = [("", NOTHING_CHOSEN), *choices[1:]]
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name not in self.radio_fields:  # radio buttons say "None" (Django's admin)
            kwargs.setdefault("empty_label", NOTHING_CHOSEN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ModelAdmin(NothingChosenInWords, admin.ModelAdmin):
    """The portal's ModelAdmin: Django's, with words for nothing chosen."""


class TabularInline(NothingChosenInWords, admin.TabularInline):
    pass


class ReadOnlyAdmin(ModelAdmin):
    """For rows only the portal's services write (sync runs, the outbox, finalisations): read here, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
