"""The commitments list: what the reader may read, filtered as the dashboards link to it."""

import datetime

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
URL = reverse("meetings:commitment-list")


def descriptions(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return {c.description for c in response.context["commitments"]}


@pytest.fixture
def more(world):
    """Body A: a done commitment, one due far ahead; a follow-up of commitment A at the
    partners-only formation (its note is for partners)."""
    factories.commitment(
        world.meeting_a, world.inst_b, "Tenu", status="done", done_on=D(2025, 4, 1)
    )
    factories.commitment(world.meeting_a, world.inst_a, "Plus tard", due_on=D(2099, 1, 1))
    world.commitment_a.follow_ups.create(
        meeting=world.partners_meeting_a, note="CANARY-FOLLOW-UP-NOTE"
    )
    return world


def test_anonymous_readers_get_public_commitments_only(client, more):
    assert descriptions(client) == {
        "Éclairer le passage Mistral",
        "Réunir les bailleurs",
        "Tenu",
        "Plus tard",
    }


def test_a_member_reads_its_bodies_and_what_names_it(login, more):
    seen = descriptions(login(more, "member"))
    assert "CANARY-PARTNERS-COMMITMENT-A" in seen and "CANARY-RESTRICTED-COMMITMENT-GLTD" in seen


def test_filters_by_state_body_institution_department_and_due_dates(client, more):
    assert descriptions(client, state="overdue") == {
        "Éclairer le passage Mistral",
        "Réunir les bailleurs",
    }
    assert descriptions(client, state="done") == {"Tenu"}
    assert descriptions(client, state="open", body=more.body_b.pk) == {"Réunir les bailleurs"}
    assert descriptions(client, institution=more.inst_b.pk) == {"Réunir les bailleurs", "Tenu"}
    assert descriptions(client, department="69") == {"Réunir les bailleurs"}
    assert descriptions(client, due_after="2030-01-01") == {"Plus tard"}
    assert "Plus tard" not in descriptions(client, due_before="2030-01-01")


def test_follow_ups_at_meetings_the_reader_cannot_read_are_left_out(login, more):
    assert "CANARY-FOLLOW-UP-NOTE" not in login(more, "anonymous").get(URL).content.decode()
    assert "CANARY-FOLLOW-UP-NOTE" in login(more, "coordinator").get(URL).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"body": "999999"},
        {"body": "x"},
        {"institution": "-1"},
        {"state": "late"},
        {"department": "2C"},
        {"due_after": "2025-13-45"},
        {"due_before": "99999-01-01"},
    ],
)
def test_bad_filters_get_a_message_not_an_error(client, more, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context["filter"].errors
    assert "n’est pas valide" in response.content.decode()


def test_the_chosen_body_is_shown_with_a_way_to_remove_it(client, more):
    html = client.get(URL, {"body": more.body_a.pk, "state": "open"}).content.decode()
    assert more.body_a.name in html and 'href="?state=open"' in html


def test_queries_do_not_grow_with_commitments(client, more, django_assert_num_queries):
    # the chosen body, the départements offered, the count, the page, its follow-ups
    with django_assert_num_queries(5):
        client.get(URL, {"body": more.body_a.pk})
    for i in range(8):
        c = factories.commitment(more.meeting_a, more.inst_a, f"Engagement {i}")
        c.follow_ups.create(meeting=more.meeting_b)
    with django_assert_num_queries(5):
        client.get(URL, {"body": more.body_a.pk})
