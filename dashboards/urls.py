from django.urls import path

from . import views

urlpatterns = [
    path("kabupaten/", views.regency, name="regency"),
    path("opd/<str:kode>/", views.opd_detail, name="opd_detail"),
    path("opd/<str:kode>/unit/", views.opd_units, name="opd_units"),
    path("staf/", views.staff, name="staff"),
    path("asn/<str:nip>/", views.asn_detail, name="asn_detail"),
]
