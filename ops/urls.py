from django.urls import path

from . import views

urlpatterns = [
    path("sehat/", views.health, name="health"),
    path("operasi/", views.operations, name="operations"),
]
