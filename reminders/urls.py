from django.urls import path

from . import views

urlpatterns = [
    path("opd/<str:kode>/ingatkan/", views.nudge_overdue, name="nudge_overdue"),
    path("opd/<str:kode>/ingatkan/<str:nip>/", views.nudge_one, name="nudge_one"),
    path("opd/<str:kode>/ingatkan/penilai/<str:nip>/", views.nudge_appraiser, name="nudge_appraiser"),
    path("staf/ingatkan/<str:nip>/", views.nudge_staff, name="nudge_staff"),
    path("aktivasi/", views.activation_request, name="activation_request"),
    path("aktivasi/<str:token>/", views.activate, name="activate"),
    path("berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("akun/notifikasi/", views.preferences, name="preferences"),
]
