"""The iCalendar feed: what calendar applications accept, what the requester may read, and
never a confidential detail."""

import pytest
from django.urls import reverse
from icalendar import Calendar

pytestmark = pytest.mark.django_db


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_public_feed_lists_public_meetings_with_links_and_no_minutes(world, login):
    client = login(world, "anonymous")
    response = client.get(reverse("meetings:body-calendar", args=[world.body_a.pk]))
    found = events(response)
    assert list(found) == [f"meeting-{world.meeting_a.pk}@registre.example.gouv.fr"]
    event = found[f"meeting-{world.meeting_a.pk}@registre.example.gouv.fr"]
    assert (
        str(event["url"]) == f"https://registre.example.gouv.fr{world.meeting_a.get_absolute_url()}"
    )
    assert event["status"] == "CONFIRMED"
    assert event.decoded("dtstart") == world.meeting_a.starts_at
    assert b"Compte rendu" not in response.content  # minutes never in a feed


def test_partners_see_partners_meetings_but_never_their_minutes(world, login):
    client = login(world, "member")
    response = client.get(reverse("meetings:body-calendar", args=[world.body_a.pk]))
    assert f"meeting-{world.partners_meeting_a.pk}@registre.example.gouv.fr" in events(response)
    assert b"CANARY-PARTNERS-MINUTES-A" not in response.content


def test_restricted_meetings_stay_out_of_the_public_feed(world, login):
    client = login(world, "anonymous")
    response = client.get(reverse("meetings:body-calendar", args=[world.gltd_a.pk]))
    assert events(response) == {}


def test_feed_query_count_is_fixed(world, login, django_assert_num_queries):
    client = login(world, "anonymous")
    url = reverse("meetings:body-calendar", args=[world.body_a.pk])
    with django_assert_num_queries(2):  # the body, its readable meetings
        client.get(url)
