"""The coordinator's meeting page: record, validate, keep what was typed, save everything or
nothing, in a number of queries that does not grow with the rows, with optimistic locking."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Attendance, Commitment, CommitmentFollowUp, Decision, Meeting
from tests import factories

pytestmark = pytest.mark.django_db


def management(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def meeting_post(
    *,
    date="2025-05-12",
    time="18:00",
    status="held",
    kind="plenary",
    place="Salle du conseil",
    version="",
    minutes="",
    attendance=(),
    guests=(),
    agenda=(),
    decisions=(),
    commitments=(),
    follow_ups=(),
):
    data = {
        "date": date,
        "time": time,
        "status": status,
        "kind": kind,
        "place": place,
        "confidentiality": "",
        "minutes": minutes,
        "version": version,
    }
    sections = {
        "agenda": agenda,
        "attendance": attendance,
        "guests": guests,
        "decisions": decisions,
        "commitments": commitments,
        "follow_ups": follow_ups,
    }
    for prefix, rows in sections.items():
        data.update(management(prefix, len(rows)))
        for i, row in enumerate(rows):
            data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


@pytest.fixture
def coordinator(world, login):
    return login(world, "coordinator")


def create_url(world):
    return reverse("meetings:meeting-create", args=[world.body_a.pk])


def test_new_meeting_page_lists_members_and_open_commitments(world, coordinator):
    html = coordinator.get(create_url(world)).content.decode()
    assert str(world.person_a) in html  # an expected member, one row
    assert "Éclairer le passage Mistral" in html  # an open commitment to follow up
    assert 'name="attendance-0-status"' in html and 'name="follow_ups-0-outcome"' in html


def test_coordinator_records_a_meeting_in_one_save(world, coordinator):
    # a guest the coordinator has just added to the registry (no seat anywhere yet)
    guest_in_isere = factories.person("Invité", "Isère", created_by=world.users["coordinator"])
    data = meeting_post(
        agenda=[{"title": "Tranquillité du quartier Mistral", "notes": ""}],
        attendance=[{"membership": world.membership_a.pk, "status": "present"}],
        guests=[{"person": guest_in_isere.pk, "institution": world.inst_a.pk, "status": "present"}],
        decisions=[{"text": "Renforcer les rondes de nuit", "confidentiality": ""}],
        commitments=[
            {
                "owner_institution": world.inst_a.pk,
                "owner_person": "",
                "description": "Poser deux lampadaires",
                "due_on": "2025-09-30",
                "confidentiality": "",
            }
        ],
        follow_ups=[
            {"commitment": world.commitment_a.pk, "outcome": "done", "note": "Éclairage posé"}
        ],
    )
    response = coordinator.post(create_url(world), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(place="Salle du conseil")
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.agenda_items.get().title == "Tranquillité du quartier Mistral"
    assert meeting.attendances.count() == 2
    assert meeting.attendances.get(membership__isnull=True).person == guest_in_isere
    assert meeting.decisions.get().text == "Renforcer les rondes de nuit"
    new = meeting.commitments.get()
    assert new.description == "Poser deux lampadaires" and new.confidentiality == "public"
    assert new.history.latest().history_user == world.users["coordinator"]
    world.commitment_a.refresh_from_db()
    assert world.commitment_a.status == "done"
    assert world.commitment_a.done_on == datetime.date(2025, 5, 12)
    assert CommitmentFollowUp.objects.get().note == "Éclairage posé"


def test_errors_come_back_in_french_with_input_kept_and_nothing_saved(world, coordinator):
    before = (Meeting.objects.count(), Commitment.objects.count(), Decision.objects.count())
    data = meeting_post(
        place="Maison des associations",
        attendance=[{"membership": world.membership_a.pk, "status": ""}],  # held: required
        decisions=[{"text": "Une décision tapée", "confidentiality": ""}],
        commitments=[
            {
                "owner_institution": world.inst_a.pk,
                "owner_person": "",
                "description": "",
                "due_on": "pas une date",
                "confidentiality": "",
            }
        ],
    )
    response = coordinator.post(create_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez la présence de ce membre." in html
    assert "Ce champ est obligatoire." in html
    assert "Saisissez une date valide." in html
    assert "Maison des associations" in html and "Une décision tapée" in html
    assert (Meeting.objects.count(), Commitment.objects.count(), Decision.objects.count()) == (
        before
    )


def test_represented_member_needs_a_representative(world, coordinator):
    data = meeting_post(attendance=[{"membership": world.membership_a.pk, "status": "represented"}])
    response = coordinator.post(create_url(world), data)
    assert "Indiquez qui représentait ce membre." in response.content.decode()


def test_a_future_meeting_cannot_be_recorded_as_held(world, coordinator):
    response = coordinator.post(create_url(world), meeting_post(date="2099-01-01"))
    assert "laissez-la « prévue »" in response.content.decode()
    response = coordinator.post(
        create_url(world), meeting_post(date="2099-01-01", status="planned")
    )
    assert response.status_code == 302  # planned ahead; attendance not required yet


def test_rows_can_be_added_without_javascript(world, coordinator):
    data = meeting_post(decisions=[{"text": "Première", "confidentiality": ""}])
    data["add_row"] = "decisions"
    response = coordinator.post(create_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="decisions-1-text"' in html and "Première" in html
    assert not Meeting.objects.filter(place="Salle du conseil").exists()


def test_foreign_ids_in_rows_are_refused(world, coordinator):
    data = meeting_post(
        attendance=[{"membership": world.membership_b.pk, "status": "present"}],
        commitments=[
            {
                "owner_institution": world.inst_b.pk,
                "owner_person": "",
                "description": "x",
                "due_on": "",
                "confidentiality": "",
            }
        ],
        follow_ups=[{"commitment": world.commitment_b.pk, "outcome": "done", "note": ""}],
    )
    html = coordinator.post(create_url(world), data).content.decode()
    assert "Ce membre ne siège pas dans l’instance." in html
    assert "Sélectionnez un choix valide" in html
    assert "Cet engagement n’est pas à suivre ici." in html
    world.commitment_b.refresh_from_db()
    assert world.commitment_b.status == "open"


def big_meeting(world, members, decisions, commitments):
    """POST data for a meeting with that many attendance rows, decisions and commitments."""
    seats = [
        factories.membership(world.body_a, factories.person(), world.inst_a) for _ in range(members)
    ]
    return meeting_post(
        attendance=[{"membership": m.pk, "status": "present"} for m in seats],
        decisions=[{"text": f"Décision {i}", "confidentiality": ""} for i in range(decisions)],
        commitments=[
            {
                "owner_institution": world.inst_a.pk,
                "owner_person": "",
                "description": f"Engagement {i}",
                "due_on": "2025-12-31",
                "confidentiality": "",
            }
            for i in range(commitments)
        ],
    )


def count_post(client, url, data):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(ctx)


def test_saving_does_not_query_per_row(world, coordinator):
    small = count_post(coordinator, create_url(world), big_meeting(world, 4, 2, 3))
    large = count_post(coordinator, create_url(world), big_meeting(world, 40, 10, 15))
    large_meeting = Meeting.objects.get(decisions__text="Décision 9")
    assert Attendance.objects.filter(meeting=large_meeting).count() == 40
    assert large == small, f"{small} queries for a small meeting, {large} for a large one"


def version_of(html):
    return re.search(r'name="version" value="([^"]+)"', html).group(1)


def test_concurrent_edits_keep_the_second_users_input_and_save_nothing(world, login):
    url = reverse("meetings:meeting-edit", args=[world.meeting_a.pk])
    first = login(world, "coordinator")
    version = version_of(first.get(url).content.decode())
    saved = first.post(
        url, meeting_post(date="2025-03-10", place="Première version", version=version)
    )
    assert saved.status_code == 302
    second = login(world, "admin")  # opened the same form before the first save
    response = second.post(
        url, meeting_post(date="2025-03-10", place="Seconde version", version=version)
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Quelqu’un a enregistré cette réunion pendant que vous la modifiiez" in html
    assert "Seconde version" in html
    world.meeting_a.refresh_from_db()
    assert world.meeting_a.place == "Première version"


def test_edit_page_shows_what_was_recorded(world, coordinator):
    factories.attendance(
        world.meeting_a,
        world.person_a,
        world.inst_a,
        status="excused",
        membership=world.membership_a,
    )
    html = coordinator.get(
        reverse("meetings:meeting-edit", args=[world.meeting_a.pk])
    ).content.decode()
    assert 'value="excused" id="id_attendance-0-status_3" checked' in html or re.search(
        r'value="excused"[^>]*checked', html
    )
    assert "Compte rendu de la plénière A" in html


def test_meeting_pages_have_fixed_query_counts(world, coordinator, django_assert_max_num_queries):
    for _ in range(20):
        factories.membership(world.body_a, factories.person(), world.inst_a)
    with CaptureQueriesContext(connection) as few:
        coordinator.get(create_url(world))
    for _ in range(20):
        factories.membership(world.body_a, factories.person(), world.inst_a)
        factories.commitment(world.meeting_a, world.inst_a)
    with CaptureQueriesContext(connection) as many:
        coordinator.get(create_url(world))
    assert len(many) == len(few)


def test_meeting_page_query_count_is_fixed(world, login, django_assert_num_queries):
    client = login(world, "anonymous")
    url = world.meeting_a.get_absolute_url()
    # meeting with body, agenda, attendance, decisions, commitments, follow-ups
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(10):
        person = factories.person()
        factories.attendance(
            world.meeting_a,
            person,
            world.inst_a,
            membership=factories.membership(world.body_a, person, world.inst_a),
        )
        factories.commitment(world.meeting_a, world.inst_a)
    with django_assert_num_queries(6):
        client.get(url)


def test_blank_rows_are_skipped_even_with_a_preset_value(world, coordinator):
    # A blank guest row still carries its preset "present": seen in the browser test.
    data = meeting_post(
        attendance=[{"membership": world.membership_a.pk, "status": "present"}],
        guests=[{"person": "", "institution": "", "status": "present"}],
        decisions=[{"text": "", "confidentiality": ""}],
    )
    response = coordinator.post(create_url(world), data)
    assert response.status_code == 302, response.content.decode()[:2000]


# -- found by an independent review ---------------------------------------------------------


def test_attending_does_not_open_commitments_owned_by_others(world, login):
    factories.attendance(
        world.partners_meeting_a, world.person_a, world.inst_a, membership=world.membership_a
    )
    factories.commitment(
        world.partners_meeting_a,
        world.inst_a,
        "CANARY-RESTRICTED-COMMITMENT",
        confidentiality="restricted",
    )
    html = login(world, "member").get(world.partners_meeting_a.get_absolute_url()).content
    assert b"CANARY-RESTRICTED-COMMITMENT" not in html
    assert (
        b"CANARY-RESTRICTED-COMMITMENT"
        in login(world, "admin").get(world.partners_meeting_a.get_absolute_url()).content
    )


def test_raising_a_meetings_level_raises_its_records(world, coordinator):
    factories.attendance(
        world.meeting_a, world.person_a, world.inst_a, membership=world.membership_a
    )
    url = reverse("meetings:meeting-edit", args=[world.meeting_a.pk])
    version = version_of(coordinator.get(url).content.decode())
    data = meeting_post(
        date="2025-03-10",
        version=version,
        attendance=[{"membership": world.membership_a.pk, "status": "present"}],
        decisions=[{"text": "Décision sensible", "confidentiality": ""}],
        commitments=[
            {
                "id": world.commitment_a.pk,
                "owner_institution": world.inst_a.pk,
                "owner_person": "",
                "description": world.commitment_a.description,
                "due_on": "2025-06-30",
                "confidentiality": "public",
            }
        ],
    )
    data["confidentiality"] = "restricted"
    assert coordinator.post(url, data).status_code == 302
    world.commitment_a.refresh_from_db()
    assert world.commitment_a.confidentiality == "restricted"
    assert Decision.objects.get(text="Décision sensible").confidentiality == "restricted"


def test_resaving_an_earlier_meeting_does_not_reopen_a_commitment(world, coordinator):
    m1 = factories.meeting(
        world.body_a, starts_at=world.meeting_a.starts_at + datetime.timedelta(days=30)
    )
    m2 = factories.meeting(
        world.body_a, starts_at=world.meeting_a.starts_at + datetime.timedelta(days=90)
    )
    CommitmentFollowUp.objects.create(
        commitment=world.commitment_a, meeting=m1, outcome="kept_open"
    )
    CommitmentFollowUp.objects.create(commitment=world.commitment_a, meeting=m2, outcome="done")
    world.commitment_a.status, world.commitment_a.done_on = "done", m2.date
    world.commitment_a.save()
    later = factories.commitment(m2, world.inst_a, "Engagement pris plus tard")

    url = reverse("meetings:meeting-edit", args=[m1.pk])
    html = coordinator.get(url).content.decode()
    assert "Engagement pris plus tard" not in html  # made after m1: not reviewable there
    data = meeting_post(
        date=str(m1.date),
        version=version_of(html),
        follow_ups=[{"commitment": world.commitment_a.pk, "outcome": "kept_open", "note": ""}],
    )
    assert coordinator.post(url, data).status_code == 302
    world.commitment_a.refresh_from_db()
    assert world.commitment_a.status == "done" and world.commitment_a.done_on == m2.date
    assert not later.follow_ups.exists()


def test_crafted_posts_get_messages_not_server_errors(world, coordinator):
    twice = meeting_post(
        attendance=[
            {"membership": world.membership_a.pk, "status": "present"},
            {"membership": world.membership_a.pk, "status": "absent"},
        ]
    )
    assert "figure deux fois" in coordinator.post(create_url(world), twice).content.decode()
    tampered = meeting_post()
    tampered.update({"add_row": "agenda", "agenda-TOTAL_FORMS": "abc"})
    assert coordinator.post(create_url(world), tampered).status_code == 200
    ancient = meeting_post(date="0001-01-01", time="00:00")
    assert "entre 1900 et 2100" in coordinator.post(create_url(world), ancient).content.decode()


def test_a_member_cannot_also_be_listed_as_guest(world, coordinator):
    data = meeting_post(
        status="planned",
        date="2099-01-01",
        attendance=[{"membership": world.membership_a.pk, "status": ""}],
        guests=[{"person": world.person_a.pk, "institution": world.inst_a.pk, "status": "present"}],
    )
    html = coordinator.post(create_url(world), data).content.decode()
    assert "figure déjà dans la liste de présence" in html


def test_after_a_conflict_saving_again_replaces_the_other_changes(world, login):
    url = reverse("meetings:meeting-edit", args=[world.meeting_a.pk])
    first = login(world, "coordinator")
    version = version_of(first.get(url).content.decode())
    first.post(url, meeting_post(date="2025-03-10", place="Première", version=version))
    second = login(world, "admin")
    conflict = second.post(url, meeting_post(date="2025-03-10", place="Seconde", version=version))
    assert conflict.status_code == 409
    again = meeting_post(
        date="2025-03-10", place="Seconde", version=version_of(conflict.content.decode())
    )
    assert second.post(url, again).status_code == 302
    world.meeting_a.refresh_from_db()
    assert world.meeting_a.place == "Seconde"


def edit_post(world, meeting, html, decisions, commitments):
    return meeting_post(
        date=str(meeting.date),
        version=version_of(html),
        decisions=[
            {"id": d.pk, "text": d.text + " (revue)", "confidentiality": ""} for d in decisions
        ],
        commitments=[
            {
                "id": c.pk,
                "owner_institution": world.inst_a.pk,
                "owner_person": "",
                "description": c.description,
                "due_on": "2025-12-31",
                "confidentiality": "",
            }
            for c in commitments
        ],
    )


def test_editing_does_not_query_per_row(world, coordinator):
    def recorded(n):
        meeting = factories.meeting(
            world.body_a, starts_at=world.meeting_a.starts_at + datetime.timedelta(days=n)
        )
        decisions = [Decision.objects.create(meeting=meeting, text=f"D{i}") for i in range(n)]
        commitments = [factories.commitment(meeting, world.inst_a, f"C{i}") for i in range(n)]
        url = reverse("meetings:meeting-edit", args=[meeting.pk])
        return url, edit_post(
            world, meeting, coordinator.get(url).content.decode(), decisions, commitments
        )

    small_url, small = recorded(2)
    large_url, large = recorded(12)
    assert count_post(coordinator, small_url, small) == count_post(coordinator, large_url, large)
    assert Decision.objects.filter(text="D11 (revue)").exists()


def test_emptying_a_commitment_row_removes_it_unless_already_reviewed(world, coordinator):
    url = reverse("meetings:meeting-edit", args=[world.meeting_a.pk])
    fresh = factories.commitment(world.meeting_a, world.inst_a, "À retirer")
    reviewed = world.commitment_a
    CommitmentFollowUp.objects.create(
        commitment=reviewed,
        outcome="kept_open",
        meeting=factories.meeting(
            world.body_a, starts_at=world.meeting_a.starts_at + datetime.timedelta(days=40)
        ),
    )
    blank = {
        "owner_institution": "",
        "owner_person": "",
        "description": "",
        "due_on": "",
        "confidentiality": "",
    }
    html = coordinator.get(url).content.decode()
    data = meeting_post(
        date="2025-03-10", version=version_of(html), commitments=[{"id": reviewed.pk, **blank}]
    )
    assert "marquez-le abandonné" in coordinator.post(url, data).content.decode()
    html = coordinator.get(url).content.decode()
    data = meeting_post(
        date="2025-03-10", version=version_of(html), commitments=[{"id": fresh.pk, **blank}]
    )
    assert coordinator.post(url, data).status_code == 302
    assert not Commitment.objects.filter(pk=fresh.pk).exists()
    assert Commitment.objects.filter(pk=reviewed.pk).exists()


def test_a_commitment_may_serve_an_action_of_the_bodys_plans_only(world, coordinator):
    def commitment(action):
        return meeting_post(
            attendance=[{"membership": world.membership_a.pk, "status": "present"}],
            commitments=[
                {
                    "owner_institution": world.inst_a.pk,
                    "owner_person": "",
                    "description": "Recruter deux médiateurs",
                    "due_on": "2025-09-30",
                    "confidentiality": "",
                    "action": action.pk,
                }
            ],
        )

    page = coordinator.get(create_url(world)).content.decode()
    assert world.action_a.title in page and world.action_b.title not in page
    refused = coordinator.post(create_url(world), commitment(world.action_b))
    assert refused.status_code == 200
    assert not Commitment.objects.filter(description="Recruter deux médiateurs").exists()
    saved = coordinator.post(create_url(world), commitment(world.action_a))
    assert saved.status_code == 302
    made = Commitment.objects.get(description="Recruter deux médiateurs")
    assert made.action == world.action_a
    action_page = coordinator.get(world.action_a.get_absolute_url()).content.decode()
    assert "Recruter deux médiateurs" in action_page


# -- forms that must not fail (independent review, second round) ---------------------------


def present(world):
    return [{"membership": world.membership_a.pk, "status": "present"}]


def test_a_commitment_followed_up_twice_in_one_form_is_a_row_error(world, coordinator):
    row = {"commitment": world.commitment_a.pk, "outcome": "done", "note": ""}
    data = meeting_post(attendance=present(world), follow_ups=[row, {**row, "outcome": "dropped"}])
    response = coordinator.post(create_url(world), data)
    assert response.status_code == 200
    assert "Cette ligne figure deux fois" in response.content.decode()
    assert not Meeting.objects.filter(place="Salle du conseil").exists()


def test_a_commitment_closed_elsewhere_meanwhile_is_dropped_and_the_rest_saved(world, coordinator):
    page = coordinator.get(create_url(world)).content.decode()
    assert "Éclairer le passage Mistral" in page  # offered for follow-up
    closed_on = datetime.date(2025, 4, 30)
    Commitment.objects.filter(pk=world.commitment_a.pk).update(status="done", done_on=closed_on)
    data = meeting_post(
        attendance=present(world),
        decisions=[{"text": "Poursuivre les rondes", "confidentiality": ""}],
        follow_ups=[{"commitment": world.commitment_a.pk, "outcome": "kept_open", "note": ""}],
    )
    response = coordinator.post(create_url(world), data, follow=True)
    assert response.redirect_chain, response.content.decode()[:2000]
    assert "clos par ailleurs" in response.content.decode()
    assert Meeting.objects.get(place="Salle du conseil").decisions.exists()
    assert not CommitmentFollowUp.objects.exists()
    world.commitment_a.refresh_from_db()
    assert (world.commitment_a.status, world.commitment_a.done_on) == ("done", closed_on)


def test_attendance_of_a_membership_ended_before_the_meeting_is_refused(world, coordinator):
    former = factories.membership(
        world.body_a, factories.person(), world.inst_a, ended_on=datetime.date(2023, 12, 31)
    )
    data = meeting_post(
        attendance=[*present(world), {"membership": former.pk, "status": "present"}]
    )
    response = coordinator.post(create_url(world), data)
    assert response.status_code == 200
    assert "pas en cours à la date de la réunion" in response.content.decode()
    assert not Attendance.objects.filter(membership=former).exists()


def test_two_rows_naming_one_commitment_are_refused_not_a_deletion(world, coordinator):
    url = reverse("meetings:meeting-edit", args=[world.meeting_a.pk])
    html = coordinator.get(url).content.decode()
    kept = {
        "id": world.commitment_a.pk,
        "owner_institution": world.inst_a.pk,
        "owner_person": "",
        "description": "Éclairer le passage Mistral",
        "due_on": "2025-06-30",
        "confidentiality": "",
    }
    emptied = {**kept, "owner_institution": "", "description": "", "due_on": ""}
    data = meeting_post(date="2025-03-10", version=version_of(html), commitments=[kept, emptied])
    response = coordinator.post(url, data)
    assert response.status_code == 200
    assert "Cette ligne figure deux fois" in response.content.decode()
    assert Commitment.objects.filter(pk=world.commitment_a.pk).exists()


def test_submitting_a_new_meeting_twice_records_it_once(world, coordinator):
    page = coordinator.get(create_url(world)).content.decode()
    token = re.search(r'name="creation_token" value="([0-9a-f-]+)"', page)[1]
    data = {**meeting_post(attendance=present(world)), "creation_token": token}
    first = coordinator.post(create_url(world), data)
    second = coordinator.post(create_url(world), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Meeting.objects.filter(place="Salle du conseil").count() == 1


# -- guests: found by a search, never a list of everyone (issue 15) ------------------------


def test_guests_are_searched_for_not_offered_as_a_list_of_everyone(world, login):
    from tests.browserless import form_data

    admin = login(world, "admin")
    nowhere = [factories.person(f"Prénom{i}", f"Sanssiege{i:02d}") for i in range(25)]
    html = admin.get(create_url(world)).content.decode()
    assert "Sanssiege" not in html  # not offered
    # a search shows the first twenty, each with its button, and says there are more
    found = admin.get(create_url(world) + "?guest-q=sanssiege").content.decode()
    assert found.count('name="add_guest"') == 20
    assert "D’autres personnes correspondent" in found
    narrowed = admin.get(create_url(world) + "?guest-q=sanssiege07").content.decode()
    assert narrowed.count('name="add_guest"') == 1 and f'value="{nowhere[7].pk}"' in narrowed
    # « Inviter » adds the row, nothing saved; then saving records the guest
    data = form_data(html)
    data.update({"date": "2025-05-12", "status": "planned", "add_guest": str(nowhere[7].pk)})
    response = admin.post(create_url(world), data)
    assert response.status_code == 200 and not Meeting.objects.filter(place="Invité test")
    page = response.content.decode()
    assert "SANSSIEGE07" in page and 'name="guests-0-person"' in page
    data = form_data(page)
    data.update(
        {"place": "Invité test", "status": "held", "guests-0-institution": str(world.inst_a.pk)}
    )
    for i in range(int(data["attendance-TOTAL_FORMS"])):
        data[f"attendance-{i}-status"] = "present"
    response = admin.post(create_url(world), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(place="Invité test")
    assert meeting.attendances.get(membership__isnull=True).person == nowhere[7]


def test_a_guest_row_can_be_removed_and_an_uninvitable_person_is_refused(world, login):
    coordinator = login(world, "coordinator")
    elsewhere = factories.person("Autre", "Département")
    rhone = factories.department("69", "Rhône")
    other = factories.body(commune=factories.commune("69266", "Villeurbanne", 150000, dept=rhone))
    factories.membership(other, elsewhere, factories.institution(dept=rhone))
    data = meeting_post(
        status="planned",
        date="2030-05-12",
        guests=[
            {"person": str(elsewhere.pk), "institution": str(world.inst_a.pk), "status": "present"}
        ],
    )
    response = coordinator.post(create_url(world), data)
    assert response.status_code == 200
    assert "ne fait pas partie de celles que vous pouvez inviter" in response.content.decode()
    data["guests-0-remove"] = "on"
    response = coordinator.post(create_url(world), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_the_edit_page_does_not_grow_with_its_guests(world, login):
    admin = login(world, "admin")
    url = reverse("meetings:meeting-edit", args=[world.meeting_a.pk])
    factories.attendance(world.meeting_a, factories.person(), world.inst_a)
    admin.get(url)
    small = count_get(admin, url)
    for _ in range(12):
        factories.attendance(world.meeting_a, factories.person(), world.inst_a)
    assert count_get(admin, url) == small
    html = admin.get(url).content.decode()
    assert html.count('name="guests-') >= 13 * 4  # person, institution, status, remove


def count_get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_follow_ups_are_written_with_one_update_per_outcome(world, coordinator):
    """Six commitments followed up: three outcomes, three UPDATE statements (not one per
    commitment, nor a CASE per commitment and field), and a history row for each."""
    earlier = [factories.commitment(world.meeting_a, world.inst_a, f"Suivi {n}") for n in range(6)]
    outcomes = ["done", "dropped", "kept_open"] * 2
    data = meeting_post(
        attendance=[{"membership": world.membership_a.pk, "status": "present"}],
        follow_ups=[
            {"commitment": c.pk, "outcome": outcome, "note": ""}
            for c, outcome in zip(earlier, outcomes, strict=True)
        ]
        + [{"commitment": world.commitment_a.pk, "outcome": "kept_open", "note": ""}],
    )
    history_before = Commitment.history.count()
    with CaptureQueriesContext(connection) as ctx:
        response = coordinator.post(create_url(world), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    updates = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('UPDATE "meetings_commitment"')
    ]
    assert len(updates) == 3
    for commitment, outcome in zip(earlier, outcomes, strict=True):
        commitment.refresh_from_db()
        expected = {"done": "done", "dropped": "dropped", "kept_open": "open"}[outcome]
        assert commitment.status == expected
        assert (commitment.done_on is not None) == (outcome == "done")
    assert Commitment.history.count() == history_before + 7


# -- what an independent review of the national-scale work crafted ------------------------


def test_inviting_someone_out_of_reach_tells_nothing_of_their_seat(world, coordinator):
    """« Inviter » with the id of a person the coordinator may not invite: the row says
    nothing of where that person sits (their institution stayed selected)."""
    echirolles = factories.commune("38151", "Échirolles", 37000, world.isere, world.epci_a)
    other_body = factories.body(commune=echirolles)
    hidden = factories.person("Caché", "Ailleurs")
    other_inst = factories.institution(name="Institution cachée", dept=world.isere)
    factories.membership(other_body, hidden, other_inst)
    html = coordinator.get(create_url(world)).content.decode()
    from tests.browserless import form_data

    data = {**form_data(html), "date": "2030-05-12", "add_guest": str(hidden.pk)}
    page = coordinator.post(create_url(world), data).content.decode()
    assert f'<option value="{other_inst.pk}" selected' not in page
    assert "Ailleurs" not in page


@pytest.mark.parametrize("value", ["9" * 22, "-1", "abc"])
def test_an_unreadable_guest_to_add_saves_nothing(world, coordinator, value):
    data = {**meeting_post(attendance=present(world)), "add_guest": value}
    response = coordinator.post(create_url(world), data)
    assert response.status_code == 200
    assert not Meeting.objects.filter(place="Salle du conseil").exists()


def test_a_crafted_row_count_reads_a_bounded_number_of_rows(world, coordinator):
    data = meeting_post(attendance=present(world))
    for prefix in ("agenda", "attendance", "guests", "decisions", "commitments", "follow_ups"):
        data[f"{prefix}-TOTAL_FORMS"] = "100000"
    data["search_guests"] = "1"
    html = coordinator.post(create_url(world), data).content.decode()
    assert html.count('name="agenda-') <= 2 * 500 + 10
