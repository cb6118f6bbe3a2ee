from django.urls import path

from . import views

urlpatterns = [
    path("bantuan/", views.ticket_list, name="ticket_list"),
    path("bantuan/baru/", views.ticket_new, name="ticket_new"),
    path("bantuan/tanya-jawab/", views.faq, name="faq"),
    path("bantuan/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("bantuan/<int:pk>/balas/", views.ticket_reply, name="ticket_reply"),
    path("bantuan/<int:pk>/ubah/", views.ticket_update, name="ticket_update"),
    path("bantuan/lampiran/<int:pk>/", views.attachment_download, name="attachment_download"),
]
