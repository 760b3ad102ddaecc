import pytest
from django.utils import translation

from tests import factories


@pytest.fixture
def isere():
    return factories.department("38", "Isère")


@pytest.fixture
def grenoble(isere):
    metro = factories.epci()
    return factories.commune("38185", "Grenoble", 158454, isere, metro)


@pytest.fixture
def clspd(grenoble):
    return factories.body(commune=grenoble)


@pytest.fixture
def demo(settings):
    """Isère's territories and the whole demo (bodies, meetings, plans), as `make run`."""
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_territories", "--departments", "38")
    call_command("load_demo")


@pytest.fixture(autouse=True)
def french():
    """Messages are asserted in French; a request in English must not leak into the next
    test (LocaleMiddleware leaves its language active in the thread)."""
    translation.activate("fr")
    yield
    translation.activate("fr")


# -- a two-département world with one user per role ----------------------------------------
# Own scope is Isère (38) and the CLSPD of Grenoble; the other scope is Rhône (69) and the
# CLSPD of Lyon. Canary strings mark what must never reach a user who may not read it.


class World:
    pass


@pytest.fixture
def world(django_user_model):
    import datetime

    from bodies.models import Body, Institution, RoleAssignment

    w = World()
    w.isere = factories.department("38", "Isère")
    w.rhone = factories.department("69", "Rhône")
    w.epci_a = factories.epci("200040715", "Grenoble-Alpes-Métropole", w.isere)
    w.epci_b = factories.epci("200046977", "Métropole de Lyon", w.rhone)
    w.grenoble = factories.commune("38185", "Grenoble", 158454, w.isere, w.epci_a)
    w.lyon = factories.commune("69123", "Lyon", 520774, w.rhone, w.epci_b)
    w.body_a = factories.body(commune=w.grenoble)
    w.body_b = factories.body(commune=w.lyon)
    w.gltd_a = factories.body(
        Body.Type.GLTD,
        commune=w.grenoble,
        parent=w.body_a,
        problem_statement="CANARY-RESTRICTED-GLTD-A trafic hall 12",
    )
    w.inst_a = factories.institution(
        Institution.Category.COMMUNE, "Ville de Grenoble", w.isere, commune=w.grenoble
    )
    w.inst_b = factories.institution(
        Institution.Category.COMMUNE, "Ville de Lyon", w.rhone, commune=w.lyon
    )
    w.person_a = factories.person(
        "Canari", "Alpha", email="canary-mail-a@example.org", phone="01 99 00 77 01"
    )
    w.person_b = factories.person(
        "Canari", "Bravo", email="canary-mail-b@example.org", phone="01 99 00 77 02"
    )
    w.membership_a = factories.membership(w.body_a, w.person_a, w.inst_a, role="appointed")
    w.membership_b = factories.membership(w.body_b, w.person_b, w.inst_b, role="appointed")
    factories.membership(w.gltd_a, w.person_a, w.inst_a, role="appointed")
    w.site_a = factories.site("Villeneuve", "QN03801M", w.isere)
    w.site_b = factories.site("Duchère", "QN06901A", w.rhone)

    # Meetings: a public plenary in each scope, a partners-only formation of body A, and a
    # restricted GLTD meeting that person A attended.
    w.meeting_a = factories.meeting(
        w.body_a, minutes="Compte rendu de la plénière A", place="Hôtel de ville de Grenoble"
    )
    w.meeting_b = factories.meeting(w.body_b, minutes="Compte rendu de la plénière B")
    w.partners_meeting_a = factories.meeting(
        w.body_a, kind="restricted", minutes="CANARY-PARTNERS-MINUTES-A"
    )
    w.restricted_meeting = factories.meeting(
        w.gltd_a,
        kind="restricted",
        minutes="CANARY-RESTRICTED-MINUTES-GLTD",
        place="CANARY-RESTRICTED-PLACE-GLTD",
    )
    # Agenda items: the public plenary's, the partners-only formation's, the GLTD's.
    w.agenda_item_a = w.meeting_a.agenda_items.create(position=1, title="Bilan de l’année")
    w.partners_meeting_a.agenda_items.create(position=1, title="CANARY-PARTNERS-AGENDA-A")
    w.restricted_agenda_item = w.restricted_meeting.agenda_items.create(
        position=1, title="CANARY-RESTRICTED-AGENDA-GLTD"
    )
    factories.attendance(w.restricted_meeting, w.person_a, w.inst_a, status="present")
    w.commitment_a = factories.commitment(w.meeting_a, w.inst_a, "Éclairer le passage Mistral")
    w.commitment_b = factories.commitment(w.meeting_b, w.inst_b, "Réunir les bailleurs")
    # A partners-only commitment of body A, and the GLTD's restricted one, owned by person A.
    w.partners_commitment_a = factories.commitment(
        w.partners_meeting_a, w.inst_a, "CANARY-PARTNERS-COMMITMENT-A"
    )
    w.restricted_commitment = factories.commitment(
        w.restricted_meeting,
        w.inst_a,
        "CANARY-RESTRICTED-COMMITMENT-GLTD",
        owner_person=w.person_a,
    )

    # Plans: a public adopted plan in each scope (body A's with a partners-only diagnostic,
    # an action, a milestone, funding, indicators and a commitment serving the action), a draft
    # of body A, and a restricted plan of the GLTD.
    w.plan_a = factories.plan(w.body_a, diagnostic="CANARY-PARTNERS-DIAGNOSTIC-A")
    w.plan_b = factories.plan(w.body_b, title="STSPD de Lyon")
    w.objective_a = w.plan_a.objectives.create(position=1, title="Tranquillité des quartiers")
    w.action_a = factories.action(w.plan_a, w.inst_a, objective=w.objective_a)
    w.action_a.milestones.create(
        title="Recrutement",
        target_on=datetime.date(2024, 6, 1),
        reached_on=datetime.date(2024, 5, 20),
    )
    w.action_a.funding_lines.create(source="fipd", year=2024, amount=15000)
    w.action_b = factories.action(w.plan_b, w.inst_b, title="Médiation dans le métro")
    w.indicator_a = factories.indicator(w.plan_a)
    factories.measurements(w.indicator_a, {2023: 120, 2024: 104, 2025: None})
    w.action_indicator_a = factories.indicator(
        w.plan_a,
        "Interventions de médiation",
        action=w.action_a,
        direction="higher",
        baseline_value=0,
        target_value=400,
    )
    w.indicator_b = factories.indicator(w.plan_b)
    w.measurement_a = factories.measurements(w.action_indicator_a, {2024: 180})[0]
    w.measurement_b = factories.measurements(w.indicator_b, {2024: 110})[0]
    w.commitment_a.action = w.action_a
    w.commitment_a.save()
    w.draft_plan_a = factories.plan(w.body_a, title="CANARY-DRAFT-PLAN-A", status="draft")
    w.gltd_plan = factories.plan(w.gltd_a, title="CANARY-RESTRICTED-PLAN-GLTD")
    w.gltd_action = factories.action(w.gltd_plan, w.inst_a, title="Fermeture du hall 12")

    def user(username, **kwargs):
        return django_user_model.objects.create_user(
            username, f"{username}@example.org", "x", **kwargs
        )

    since = datetime.date(2020, 1, 1)
    w.users = {
        "anonymous": None,
        "admin": user("root", is_superuser=True, is_staff=True),
        "prefecture": user("prefecture38"),
        "coordinator": user("coordinator-a"),
        "member": user("member-a"),
        "researcher": user("researcher"),
        "national": user("national-cipdr"),
    }
    w.assignment_prefecture = RoleAssignment.objects.create(
        user=w.users["prefecture"], role="prefecture", department=w.isere, started_on=since
    )
    w.assignment_coordinator = RoleAssignment.objects.create(
        user=w.users["coordinator"], role="coordinator", body=w.body_a, started_on=since
    )
    RoleAssignment.objects.create(user=w.users["researcher"], role="researcher", started_on=since)
    RoleAssignment.objects.create(user=w.users["national"], role="national", started_on=since)
    w.person_a.user = w.users["member"]
    w.person_a.save()
    return w


ROLES = ["anonymous", "admin", "prefecture", "coordinator", "member", "researcher", "national"]


@pytest.fixture
def login(client):
    def as_role(world, role):
        client.logout()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        return client

    return as_role
