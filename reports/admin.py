from django.contrib import admin

from kapuas_kinerja.admin import ReadOnlyAdmin

from .models import AnnualRecapUpload, ReportJob


@admin.register(AnnualRecapUpload)
class AnnualRecapUploadAdmin(ReadOnlyAdmin):
    """Every version uploaded; checked on the OPD's annual SKP page, where the file can be opened."""

    list_display = ("opd", "year", "version", "status", "uploaded_at", "uploaded_by", "reviewed_by")
    list_filter = ("year", "status", "opd")
    list_select_related = ("opd", "uploaded_by", "reviewed_by")
    exclude = ("file",)


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ("kind", "opd", "period", "year", "status", "requested_by", "created_at", "finished_at")
    list_filter = ("kind", "status")
    list_select_related = ("opd", "period", "requested_by")
    exclude = ("file",)
