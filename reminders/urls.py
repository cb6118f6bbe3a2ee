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
    # "Forgot your password?" mails its link through the outbox; the rest of that flow is opd's (opd/urls.py).
    path("kata-sandi/lupa/", views.password_reset, name="password_reset"),
    path("akun/notifikasi/", views.preferences, name="preferences"),
]
