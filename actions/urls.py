from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/measurements/", views.plan_measurements, name="plan-measurements"),
    path("plans/<int:pk>/ssmsi/", views.plan_ssmsi, name="plan-ssmsi"),
]
