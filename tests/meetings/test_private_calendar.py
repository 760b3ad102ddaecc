"""Private calendar feeds (issue 14): a random token in a URL, stored hashed, revocable,
reading what its user may read when it is read, never minutes or decisions."""

import hashlib
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from bodies.models import today
from meetings.models import CalendarFeed
from tests import factories

pytestmark = pytest.mark.django_db


def shown_feed(client) -> str:
    """The feed the page shows (what its form posts as `replaces`)."""
    page = client.get(reverse("meetings:calendar-feed")).content.decode()
    return re.search(r'name="replaces" value="(\d*)"', page).group(1)


def create(client, replaces=None):
    replaces = shown_feed(client) if replaces is None else replaces
    response = client.post(
        reverse("meetings:calendar-feed"), {"action": "create", "replaces": replaces}
    )
    assert response.status_code == 200
    url = re.search(
        r'value="(https://registre\.example\.gouv\.fr/calendar/[^"]+\.ics)"',
        response.content.decode(),
    )
    return url.group(1).removeprefix("https://registre.example.gouv.fr")


def uids(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {
        str(e["uid"]).split("@")[0] for e in Calendar.from_ical(response.content).walk("VEVENT")
    }


@pytest.fixture
def recent(world):
    """The test world's meetings, moved into the last year."""
    from django.utils import timezone

    from meetings.models import Meeting

    Meeting.objects.update(starts_at=timezone.now() - timezone.timedelta(days=30))
    return world


def test_the_member_feed_lists_its_bodies_meetings_it_may_read_without_a_session(
    recent, login, client
):
    world = recent
    path = create(login(world, "member"))
    client.logout()
    response = client.get(path)
    assert uids(response) == {
        f"meeting-{world.meeting_a.pk}",
        f"meeting-{world.partners_meeting_a.pk}",
        f"meeting-{world.restricted_meeting.pk}",
    }
    content = response.content.decode()
    for never in ("MINUTES", "Compte rendu", "CANARY-RESTRICTED-PLACE-GLTD", "CANARY-PARTNERS"):
        assert never not in content
    assert "Hôtel de ville de Grenoble" in content  # a public meeting's place


def test_prefecture_staff_follow_their_departments_bodies(recent, login, client):
    world = recent
    path = create(login(world, "prefecture"))
    assert uids(client.get(path)) == {
        f"meeting-{world.meeting_a.pk}",
        f"meeting-{world.partners_meeting_a.pk}",
    }


def test_only_the_hash_is_stored_and_revocation_stops_it(recent, login):
    world = recent
    client = login(world, "member")
    path = create(client)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=world.users["member"])
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash
    page = client.get(reverse("meetings:calendar-feed")).content.decode()
    assert token not in page  # shown once, when created
    client.post(reverse("meetings:calendar-feed"), {"action": "revoke"})
    assert client.get(path).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_a_new_link_replaces_the_old(recent, login):
    client = login(recent, "member")
    first = create(client)
    second = create(client)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_the_feed_stops_with_the_users_access(recent, login):
    world = recent
    coordinator = create(login(world, "coordinator"))
    member = create(login(world, "member"))
    world.assignment_coordinator.ended_on = today()
    world.assignment_coordinator.save()
    assert login(world, "anonymous").get(coordinator).status_code == 200  # last day
    world.assignment_coordinator.started_on = today().replace(year=2000)
    world.assignment_coordinator.ended_on = today().replace(year=2001)
    world.assignment_coordinator.save()
    assert login(world, "anonymous").get(coordinator).status_code == 404
    world.users["member"].is_active = False
    world.users["member"].save()
    assert login(world, "anonymous").get(member).status_code == 404


def test_a_user_following_no_body_cannot_create_one(recent, login):
    client = login(recent, "researcher")
    client.post(reverse("meetings:calendar-feed"), {"action": "create"})
    assert not CalendarFeed.objects.exists()


def test_an_unknown_token_is_a_404(client):
    assert client.get(reverse("meetings:private-calendar", args=["x" * 43])).status_code == 404


def test_the_feed_costs_the_same_queries_with_more_meetings(
    recent, login, client, django_assert_num_queries
):
    from django.utils import timezone

    world = recent
    path = create(login(world, "member"))
    client.logout()
    # the feed and its user, the access (roles, person, seats), the meetings, the last read
    with django_assert_num_queries(6):
        assert client.get(path).status_code == 200
    for days in range(10):
        factories.meeting(
            world.body_a, starts_at=timezone.now() + timezone.timedelta(days=days + 1)
        )
    with django_assert_num_queries(6):
        response = client.get(path)
    assert len(uids(response)) == 13


def test_clicks_from_the_same_page_create_one_link_and_show_only_it(recent, login):
    client = login(recent, "member")
    page_state = shown_feed(client)  # five clicks on the page showing no link
    first = create(client, page_state)
    for _ in range(4):
        again = client.post(
            reverse("meetings:calendar-feed"), {"action": "create", "replaces": page_state}
        ).content.decode()
        assert (
            "registre.example.gouv.fr/calendar/" not in again
            and "Un autre clic vient de créer votre lien" in again
        )
    assert CalendarFeed.objects.count() == 1
    assert client.get(first).status_code == 200
    replacing = shown_feed(client)  # two clicks on « Remplacer »: one new link
    second = create(client, replacing)
    again = client.post(
        reverse("meetings:calendar-feed"), {"action": "create", "replaces": replacing}
    ).content.decode()
    assert "registre.example.gouv.fr/calendar/" not in again
    assert client.get(second).status_code == 200 and client.get(first).status_code == 404


def test_a_deactivated_account_loses_its_link_for_good(recent, login):
    member = recent.users["member"]
    path = create(login(recent, "member"))
    member.is_active = False
    member.save()
    member.is_active = True
    member.save()
    assert login(recent, "anonymous").get(path).status_code == 404
    assert not CalendarFeed.objects.filter(user=member).exists()
