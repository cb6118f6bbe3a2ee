from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kapuas_kinerja import auditlog_admin
from kapuas_kinerja.admin import ModelAdmin

from . import emblem
from .models import Emblem


class EmblemForm(forms.ModelForm):
    picture = forms.FileField(
        label=_("Picture"),
        help_text=_("PNG or JPEG, at most 512 KB; a square picture with a transparent background looks best."),
    )

    class Meta:
        model = Emblem
        fields = ()

    def clean_picture(self):
        upload = self.cleaned_data["picture"]
        try:
            emblem.check_size(upload.size)  # before reading a byte of it
            data = upload.read()
            self.content_type = emblem.check(data)
        except emblem.EmblemRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        self.data_bytes = data
        return upload


@admin.register(Emblem)
class EmblemAdmin(ModelAdmin):
    """One emblem: upload it, replace it, or delete it (the pages then show the regency's name alone)."""

    form = EmblemForm
    list_display = ("__str__", "content_type", "size", "uploaded_at", "uploaded_by")
    readonly_fields = ("content_type", "size", "uploaded_at", "uploaded_by")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Emblem.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        obj.sha256 = emblem.store(form.data_bytes)
        obj.content_type = form.content_type
        obj.size = len(form.data_bytes)
        obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        emblem.remove()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        emblem.remove()


# The audit trail's admin page in Indonesian (see kapuas_kinerja/auditlog_admin.py); installed from
# here because identity's admin module loads after django-auditlog's.
auditlog_admin.install()
