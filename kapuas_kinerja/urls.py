from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Kinerja Kapuas: BKPSDM administration")
admin.site.site_title = _("Kinerja Kapuas")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("opd.urls")),
    path("", include("dashboards.urls")),
    path("", include("reminders.urls")),
    path("", include("tpp.urls")),
    path("", include("reports.urls")),
    path("", include("helpdesk.urls")),
    path("", include("ops.urls")),
    path("", include("identity.urls")),
]
