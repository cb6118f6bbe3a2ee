from django.urls import path

from . import views

urlpatterns = [
    path("opd/<str:kode>/rekap.xlsx", views.opd_recap_xlsx, name="opd_recap_xlsx"),
    path("opd/<str:kode>/tpp.xlsx", views.opd_tpp_xlsx, name="opd_tpp_xlsx"),
    path("kabupaten/rekap.xlsx", views.regency_recap_xlsx, name="regency_recap_xlsx"),
    path("laporan/", views.report_start, name="report_start"),
    path("laporan/<int:pk>/", views.report_status, name="report_status"),
    path("laporan/<int:pk>/unduh/", views.report_download, name="report_download"),
    path("opd/<str:kode>/skp-tahunan/", views.opd_annual, name="opd_annual"),
    path("opd/<str:kode>/skp-tahunan/unggah/", views.annual_upload, name="annual_upload"),
    path("dokumen/<int:pk>/", views.document_download, name="document_download"),
    path("dokumen/<int:pk>/periksa/", views.document_review, name="document_review"),
    path("skp-tahunan/", views.annual_overview, name="annual_overview"),
]
