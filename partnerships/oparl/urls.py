"""The OParl 1.1 API, read-only, under /oparl/v1/ (README, « API OParl »)."""

from django.urls import path, re_path

from . import views

app_name = "oparl"

EMPTY_LISTS = {
    "paper": "body-papers",
    "file": "body-files",
    "consultation": "body-consultations",
    "legislative-term": "body-legislative-terms",
}

urlpatterns = [
    path("", views.system, name="system"),
    path("body/", views.body_list, name="body-list"),
    path("body/<str:code>/", views.body, name="body"),
    path("body/<str:code>/organization/", views.body_organizations, name="body-organizations"),
    path("body/<str:code>/person/", views.body_people, name="body-people"),
    path("body/<str:code>/membership/", views.body_memberships, name="body-memberships"),
    path("body/<str:code>/meeting/", views.body_meetings, name="body-meetings"),
    path("body/<str:code>/agenda-item/", views.body_agenda_items, name="body-agenda-items"),
    path("body/<str:code>/location/", views.body_locations, name="body-locations"),
    *(
        path(f"body/<str:code>/{segment}/", views.body_empty_list, name=name)
        for segment, name in EMPTY_LISTS.items()
    ),
    path("organization/<int:pk>/", views.organization, name="organization"),
    path(
        "organization/<int:pk>/meeting/", views.organization_meetings, name="organization-meetings"
    ),
    path("institution/<int:pk>/", views.institution, name="institution"),
    path("person/<str:identifier>/", views.person, name="person"),
    path("membership/<int:pk>/", views.membership, name="membership"),
    path("meeting/<int:pk>/", views.meeting, name="meeting"),
    path("agenda-item/<int:pk>/", views.agenda_item, name="agenda-item"),
    path("location/<int:pk>/", views.location, name="location"),
    # Anything else under the API answers OParl's error object, not the site's 404 page.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
