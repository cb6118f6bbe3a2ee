from django.urls import path

from . import views

urlpatterns = [
    path("tpp/", views.regency_tpp, name="regency_tpp"),
    path("opd/<str:kode>/tpp/", views.opd_tpp, name="opd_tpp"),
    path("opd/<str:kode>/tpp/finalisasi/", views.finalise, name="tpp_finalise"),
    path("opd/<str:kode>/tpp/buka/", views.reopen, name="tpp_reopen"),
]
