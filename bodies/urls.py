"""Pages of this app alone; declared in partnerships/urls.py under the `bodies` namespace,
next to the body pages that gather several apps."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/composition/", views.composition, name="body-composition"),
    path("<int:pk>/composition/add/", views.seat_add, name="seat-add"),
    path("seats/<int:pk>/replace/", views.seat_replace, name="seat-replace"),
    path("seats/<int:pk>/end/", views.seat_end, name="seat-end"),
]
