from django.urls import path

from . import views

app_name = "bodies"

urlpatterns = [
    path("", views.body_list, name="body-list"),
    path("<int:pk>/", views.body_detail, name="body-detail"),
]
