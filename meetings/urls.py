from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/convocation/", views.meeting_convocation, name="meeting-convocation"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/minutes.odt", views.meeting_minutes_odt, name="meeting-minutes-odt"),
    path(
        "meetings/<int:pk>/minutes/approve/",
        views.meeting_minutes_approve,
        name="meeting-minutes-approve",
    ),
    path("bodies/<int:body_id>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("bodies/<int:body_id>/calendar.ics", views.body_calendar, name="body-calendar"),
    path("bodies/<int:body_id>/meetings/", views.body_meetings, name="body-meetings"),
    path("commitments/", views.commitment_list, name="commitment-list"),
    path("my/calendar/", views.calendar_feed, name="calendar-feed"),
    path("calendar/<str:token>.ics", views.private_calendar, name="private-calendar"),
]
