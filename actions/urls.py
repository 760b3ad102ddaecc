from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("actions/<int:pk>/", views.action_detail, name="action-detail"),
]
