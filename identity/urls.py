from django.urls import path

from . import views

urlpatterns = [path("lambang/", views.emblem_image, name="emblem")]
