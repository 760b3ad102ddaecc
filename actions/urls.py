from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/measurements/", views.plan_measurements, name="plan-measurements"),
    path("plans/<int:pk>/ssmsi/", views.plan_ssmsi, name="plan-ssmsi"),
    # Writing plans on the registry's own pages: their bodies' coordinators, administrators.
    path("bodies/<int:body_id>/plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/adopt/", views.plan_adopt, name="plan-adopt"),
    path("plans/<int:pk>/actions/new/", views.action_create, name="action-create"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("plans/<int:pk>/indicators/new/", views.indicator_create, name="indicator-create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
]
