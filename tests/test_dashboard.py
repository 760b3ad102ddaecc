"""The county dashboard's figures on a small Isère built for them, its access rules and its
query budget; the national overview; « Mes instances »; where each role lands."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bodies.access import ANONYMOUS, Access
from bodies.models import Body, Institution, Membership
from partnerships.county import County
from partnerships.national import national_rows
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
ON = D(2026, 6, 15)
ADMIN = Access(is_authenticated=True, is_admin=True)


def at(day, hour=18):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


def days_before(n):
    return ON - datetime.timedelta(days=n)


class Isere:
    pass


@pytest.fixture
def isere_world(isere):
    """Isère on 15 June 2026:
    - Grenoble (158,454): an active CLSPD (plenary in March 2026, a coordinator), with the
      town, the police and a social landlord that stopped coming after three meetings;
    - Échirolles (36,840): a dormant CLSPD (last meeting 500 days ago), no coordinator, its
      chair (the mayor) left two months ago and was replaced, no meeting since;
    - Fontaine (22,523) and a small commune with a QPV: no body — obligation not met;
    - Bourgoin (28,000) in the CAPI, covered by its active CISPD;
    - the CODAF, which met once in twelve months.
    """
    w = Isere()
    metro = factories.epci("200040715", "Grenoble-Alpes-Métropole", isere)
    capi = factories.epci("243800604", "CAPI", isere, kind="CA")
    w.grenoble = factories.commune("38185", "Grenoble", 158454, isere, metro)
    w.echirolles = factories.commune("38151", "Échirolles", 36840, isere, metro)
    w.fontaine = factories.commune("38169", "Fontaine", 22523, isere, metro)
    w.sarcenas = factories.commune("38475", "Sarcenas", 200, isere, metro)
    w.bourgoin = factories.commune("38053", "Bourgoin-Jallieu", 28000, isere, capi)
    factories.commune("38001", "Les Abrets", 3000, isere, capi)  # no obligation
    site = factories.site("Quartier test", "QN03899Z", isere)
    site.communes.add(w.sarcenas)

    w.town = factories.institution(Institution.Category.COMMUNE, "Ville de Grenoble", isere)
    w.police = factories.institution(Institution.Category.NATIONAL_POLICE, "DIPN", isere)
    w.landlord = factories.institution(Institution.Category.SOCIAL_LANDLORD, "Bailleur", isere)
    w.mairie_e = factories.institution(Institution.Category.COMMUNE, "Ville d’Échirolles", isere)
    w.epci = factories.institution(Institution.Category.EPCI, "CAPI", isere)
    w.prefecture = factories.institution(Institution.Category.PREFECTURE, "Préfecture", isere)

    w.clspd_g = factories.body(commune=w.grenoble)
    w.clspd_e = factories.body(commune=w.echirolles)
    w.cispd = factories.body(Body.Type.CISPD, epci=capi)
    w.codaf = factories.body(Body.Type.CODAF, department=isere)

    seats = {
        inst: factories.membership(w.clspd_g, factories.person(), inst, started_on=D(2020, 1, 1))
        for inst in (w.town, w.police, w.landlord)
    }
    factories.membership(
        w.clspd_g, factories.person(), w.town, role="coordinator", started_on=D(2021, 1, 1)
    )
    # Six held meetings of Grenoble within twelve months: the landlord came to the first three
    for n, day in enumerate([300, 250, 200, 150, 100, 50]):
        meeting = factories.meeting(
            w.clspd_g, at(days_before(day)), kind="plenary" if n == 3 else "restricted"
        )
        for inst, seat in seats.items():
            came = inst is not w.landlord or n < 3
            if inst is w.police and n == 5:
                came = False
            factories.attendance(
                meeting,
                seat.person,
                inst,
                status="present" if came else "absent",
                membership=seat,
            )
        if n == 0:
            w.first_meeting = meeting
    w.last_meeting_g = meeting
    # Commitments of Grenoble: the police owns an overdue one and one done late (10 days),
    # the town one done on time and one dropped; the landlord never commits.
    factories.commitment(w.first_meeting, w.police, "En retard", due_on=days_before(60))
    factories.commitment(
        w.first_meeting,
        w.police,
        "Tenu en retard",
        due_on=days_before(100),
        status="done",
        done_on=days_before(90),
    )
    factories.commitment(
        w.first_meeting,
        w.town,
        "Tenu à temps",
        due_on=days_before(100),
        status="done",
        done_on=days_before(120),
    )
    factories.commitment(w.first_meeting, w.town, "Abandonné", status="dropped")
    factories.commitment(w.last_meeting_g, w.town, "À venir", due_on=ON + datetime.timedelta(30))

    # Échirolles: last meeting 500 days ago; its chair left 60 days ago, replaced since.
    factories.meeting(w.clspd_e, at(days_before(500)), kind="plenary")
    factories.membership(
        w.clspd_e,
        factories.person(),
        w.mairie_e,
        role="chair",
        started_on=D(2020, 1, 1),
        ended_on=days_before(60),
    )
    factories.membership(
        w.clspd_e, factories.person(), w.mairie_e, role="chair", started_on=days_before(59)
    )
    # The CISPD met last month; the CODAF once in twelve months.
    factories.meeting(w.cispd, at(days_before(30)))
    factories.meeting(w.codaf, at(days_before(90)))
    w.isere = isere
    return w


def county(w, access=ADMIN):
    return County(w.isere, access, on=ON)


def test_dormant_bodies_with_their_last_meeting(isere_world):
    dormant = list(county(isere_world).dormant())
    assert [(b.name, b.last_held_on) for b in dormant] == [
        (isere_world.clspd_e.name, days_before(500))
    ]


def test_communes_with_an_obligation_and_no_active_body(isere_world):
    coverage = county(isere_world).coverage()
    # Échirolles' CLSPD is dormant: it does not cover. Largest first; Sarcenas by its QPV.
    assert [c.name for c in coverage.uncovered] == ["Échirolles", "Fontaine", "Sarcenas"]
    assert [c.has_qpv for c in coverage.uncovered] == [False, False, True]


def test_clspds_of_large_communes_without_coordinator(isere_world):
    coverage = county(isere_world).coverage()
    assert [b.name for b in coverage.without_coordinator] == [isere_world.clspd_e.name]


def test_clspds_without_a_plenary_this_year_and_last(isere_world):
    coverage = county(isere_world).coverage()
    # Grenoble's plenary was 150 days before 15 June 2026: in January 2026
    assert [b.name for b in coverage.no_plenary_this_year] == [isere_world.clspd_e.name]
    # in 2025, Échirolles' plenary (in February) but only restricted meetings in Grenoble
    assert [b.name for b in coverage.no_plenary_last_year] == [isere_world.clspd_g.name]


def test_codafs_below_three_meetings_a_year(isere_world):
    codafs = county(isere_world).coverage().codafs_below_cadence
    assert [(b.name, b.held_12m) for b in codafs] == [(isere_world.codaf.name, 1)]


def test_attendance_rates_by_category_and_institution(isere_world):
    c = county(isere_world)
    by_category = {r["institution__category"]: r for r in c.attendance_by_category()}
    assert (
        by_category["social_landlord"]["attended"],
        by_category["social_landlord"]["expected"],
    ) == (3, 6)
    assert round(by_category["national_police"]["rate"]) == 83
    by_institution = c.attendance_by_institution()
    assert by_institution[0]["institution__name"] == "Bailleur"  # lowest first
    formal = [r["institution__name"] for r in by_institution if not r["owns_commitments"]]
    assert formal == ["Bailleur"]  # attends, never commits


def test_institutions_that_stopped_coming(isere_world):
    rows = county(isere_world).stopped_coming()
    assert [(r["institution__name"], r["meeting__body__name"]) for r in rows] == [
        ("Bailleur", isere_world.clspd_g.name)
    ]  # the police missed only the last one


def test_an_institution_that_left_its_seat_has_not_stopped_coming(isere_world):
    Membership.objects.filter(institution=isere_world.landlord).update(ended_on=days_before(10))
    assert county(isere_world).stopped_coming() == []


def test_commitments_by_state_on_time_share_and_median_delay(isere_world):
    c = county(isere_world)
    rows = {r["owner_institution__name"]: r for r in c.commitments_by_institution()}
    assert rows["DIPN"]["overdue"] == 1 and rows["DIPN"]["done"] == 1
    assert rows["Ville de Grenoble"]["dropped"] == 1 and rows["Ville de Grenoble"]["open"] == 1
    totals = c.commitment_totals()
    assert (totals["on_time"], totals["due"]) == (1, 3)  # the overdue one counts as due
    assert c.median_delay() == (1, 10)


def test_key_people(isere_world):
    c = county(isere_world)
    assert [(m.body_id, m.role) for m in c.departed_key_people()] == [
        (isere_world.clspd_e.pk, "chair")
    ]
    missing = {b.name: (b.lacks_chair, b.lacks_coordinator) for b in c.bodies_missing_key_people()}
    assert missing[isere_world.clspd_e.name] == (False, True)
    assert missing[isere_world.clspd_g.name] == (True, False)  # no chair recorded
    assert [b.name for b in c.changed_and_silent()] == [isere_world.clspd_e.name]


def test_plans_in_force_and_bodies_without_one(isere_world):
    plan = factories.plan(isere_world.clspd_g, starts_on=D(2025, 1, 1), ends_on=D(2027, 12, 31))
    indicator = factories.indicator(plan, target_on=D(2027, 1, 1), baseline_on=D(2025, 1, 1))
    factories.measurements(indicator, {2026: 130})  # wrong way: behind
    c = county(isere_world)
    plans = c.plans_in_force()
    assert [p.pk for p in plans] == [plan.pk]
    from partnerships.county import indicators_behind

    assert indicators_behind(plans) == 1
    assert [b.name for b in c.without_plan()] == [isere_world.cispd.name]


def test_restricted_commitments_are_counted_only_for_those_who_read_them(isere_world):
    gltd = factories.body(Body.Type.GLTD, commune=isere_world.grenoble, parent=isere_world.clspd_g)
    meeting = factories.meeting(gltd, at(days_before(20)), kind="restricted")
    factories.commitment(meeting, isere_world.police, "Secret", due_on=days_before(5))
    prefecture = Access(is_authenticated=True, departments=frozenset({isere_world.isere.pk}))
    assert county(isere_world, prefecture).commitment_totals()["overdue"] == 1
    assert county(isere_world, ADMIN).commitment_totals()["overdue"] == 2
    national = Access(is_authenticated=True, is_national=True)
    assert county(isere_world, national).commitment_totals()["overdue"] == 1


# -- the page ------------------------------------------------------------------------------


@pytest.fixture
def prefecture_client(client, isere_world, django_user_model):
    from bodies.models import RoleAssignment

    user = django_user_model.objects.create_user("pref", "pref@example.org", "x")
    RoleAssignment.objects.create(
        user=user, role="prefecture", department=isere_world.isere, started_on=D(2020, 1, 1)
    )
    client.force_login(user)
    return client


def test_the_page_shows_each_section_and_links_its_figures(prefecture_client, isere_world):
    response = prefecture_client.get(reverse("dashboard:county", args=["38"]))
    html = response.content.decode()
    assert response.status_code == 200
    for anchor in ("instances", "couverture", "participation", "engagements", "responsables"):
        assert f'id="{anchor}"' in html
    assert "/bodies/?department=38&amp;status=dormant" in html
    assert "/commitments/?department=38&amp;state=overdue" in html
    assert "Fontaine" in html and "<svg" in html
    assert "une aide" in html.lower() and "pas un verdict" in html


def test_an_unknown_department_answers_404(prefecture_client):
    assert prefecture_client.get(reverse("dashboard:county", args=["ZZ"])).status_code == 404


# The county page's queries, whatever the data: the session and user (2), the reader's access
# (role assignments, person: 2), the département (1); the communes' outlines and coverage for
# the map (1); bodies by type and status (1); attendance
# by category and by institution (2); commitments by institution, totals, late count, middle
# rows (4); plans in force, their actions with milestones counted, their indicators with
# their latest value (3); dormant bodies (1); coverage: communes, coordinators, plenaries this year
# and last, CODAFs (5); institutions that stopped coming, then whether they came before and
# still hold a seat (2); key people: departed, missing,
# changed and silent (3); bodies without a plan (1); integration levels (1); the session's
# save (3: a savepoint, the update, its release).
COUNTY_PAGE_QUERIES = 2 + 2 + 1 + 1 + 1 + 2 + 4 + 3 + 1 + 5 + 2 + 3 + 1 + 1 + 3


def test_page_queries_do_not_grow_with_the_data(prefecture_client, isere_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = factories.plan(isere_world.clspd_g, starts_on=D(2025, 1, 1), ends_on=D(2027, 12, 31))
    action = factories.action(plan, isere_world.town)
    action.milestones.create(title="Étape", target_on=D(2026, 1, 1))
    factories.measurements(factories.indicator(plan), {2025: 100})
    url = reverse("dashboard:county", args=["38"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert prefecture_client.get(url).status_code == 200
        return len(queries)

    assert count() == COUNTY_PAGE_QUERIES
    # more of everything: bodies, seats, meetings, attendance, commitments, plans
    for i in range(3):
        commune = factories.commune(f"38{i + 600:03d}", f"Ville {i}", 8000 + i, isere_world.isere)
        body = factories.body(commune=commune)
        seat = factories.membership(body, factories.person(), isere_world.police)
        for day in (40, 80, 120, 160):
            meeting = factories.meeting(body, at(days_before(day)))
            factories.attendance(meeting, seat.person, isere_world.police, membership=seat)
            factories.commitment(meeting, isere_world.police, "Plus", due_on=days_before(day - 5))
        other = factories.plan(body, starts_on=D(2025, 1, 1), ends_on=D(2027, 12, 31))
        factories.measurements(factories.indicator(other), {2025: 100, 2026: 90})
    assert count() == COUNTY_PAGE_QUERIES


# -- the national overview -----------------------------------------------------------------


def test_national_rows_count_each_departments_bodies_and_gaps(isere_world):
    rows = {r.department.code: r for r in national_rows(ADMIN, full=True, on=ON)}
    isere = rows["38"]
    assert (isere.active, isere.dormant, isere.uncovered) == (3, 1, 3)
    assert isere.overdue == 1 and isere.plans == 0
    assert isere.attendance == 78  # 14 of 18 seats at Grenoble's held meetings in 12 months


def test_anonymous_readers_get_the_public_figures_only(client, isere_world):
    response = client.get(reverse("dashboard:national"))
    html = response.content.decode()
    assert response.status_code == 200 and not response.context["full"]
    assert "Engagements en retard" not in html and "Communes non couvertes" in html
    assert reverse("dashboard:county", args=["38"]) not in html  # not theirs to open
    assert national_rows(ANONYMOUS, full=False)[0].overdue is None


def test_national_staff_get_every_figure_and_sort_them(client, isere_world, django_user_model):
    from bodies.models import Department, RoleAssignment

    factories.department("69", "Rhône")
    Department.objects.filter(code="69").update(code="69")
    user = django_user_model.objects.create_user("cipdr", "cipdr@example.org", "x")
    RoleAssignment.objects.create(user=user, role="national", started_on=D(2020, 1, 1))
    client.force_login(user)
    response = client.get(reverse("dashboard:national"), {"o": "-dormant"})
    assert response.context["full"]
    assert [r.department.code for r in response.context["rows"]] == ["38", "69"]
    assert reverse("dashboard:county", args=["38"]) in response.content.decode()
    assert client.get(reverse("dashboard:national"), {"o": "drop table"}).status_code == 200


def test_national_overview_queries_are_fixed(client, isere_world, django_assert_num_queries):
    # départements, bodies by status, uncovered communes (public: three queries)
    with django_assert_num_queries(3):
        client.get(reverse("dashboard:national"))


# -- « Mes instances » and landing ---------------------------------------------------------


def test_workspace_lists_a_coordinators_bodies_meetings_commitments_and_indicators(login, world):
    world.plan_a.starts_on, world.plan_a.ends_on = D(2025, 1, 1), D(2028, 12, 31)
    world.plan_a.save()
    response = login(world, "coordinator").get(reverse("workspace"))
    assert response.status_code == 200
    assert [b.pk for b in response.context["bodies"]] == [world.body_a.pk]
    due = {c.description for c in response.context["due"]}
    assert "Éclairer le passage Mistral" in due and "CANARY-PARTNERS-COMMITMENT-A" in due
    # the action's indicator was last measured in 2024; the plan's has 2025 (not published,
    # but recorded as such)
    assert [i.pk for i in response.context["to_update"]] == [world.action_indicator_a.pk]


def test_workspace_of_someone_with_no_body_is_an_empty_state(login, world):
    response = login(world, "researcher").get(reverse("workspace"))
    assert "Vous ne coordonnez aucune instance" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("admin", "/dashboard/"),
        ("national", "/dashboard/"),
        ("prefecture", "/dashboard/38/"),
        ("coordinator", "/my/"),
        ("member", "/my/"),
        ("researcher", "/"),
    ],
)
def test_each_role_lands_on_its_own_page(login, world, role, target):
    response = login(world, role).get(reverse("after-login"))
    assert response.status_code == 302 and response["Location"] == target


def test_anonymous_visitors_of_the_landing_page_log_in_first(client):
    response = client.get(reverse("after-login"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_logging_in_leads_to_the_landing_page(client, world):
    world.users["prefecture"].set_password("correct horse battery")
    world.users["prefecture"].save()
    response = client.post(
        reverse("login"), {"username": "prefecture38", "password": "correct horse battery"}
    )
    assert response["Location"] == reverse("after-login")


# -- found by the independent review --------------------------------------------------------


def test_open_counts_the_overdue_ones_as_the_list_it_links_to(isere_world):
    rows = {
        r["owner_institution__name"]: r for r in county(isere_world).commitments_by_institution()
    }
    assert rows["DIPN"]["open"] == 1 and rows["DIPN"]["overdue"] == 1  # one, and it is late
    assert county(isere_world).commitment_totals()["open"] == 2


def test_a_commitment_done_early_but_not_yet_due_does_not_inflate_the_on_time_share(
    isere_world,
):
    factories.commitment(
        isere_world.first_meeting,
        isere_world.town,
        "Tenu en avance",
        due_on=ON + datetime.timedelta(days=40),
        status="done",
        done_on=days_before(1),
    )
    totals = county(isere_world).commitment_totals()
    assert (totals["on_time"], totals["due"]) == (1, 3)


def test_a_plan_the_reader_cannot_read_is_neither_listed_nor_revealed(isere_world):
    factories.plan(
        isere_world.cispd,
        starts_on=D(2025, 1, 1),
        ends_on=D(2027, 12, 31),
        confidentiality="restricted",
    )
    prefecture = Access(is_authenticated=True, departments=frozenset({isere_world.isere.pk}))
    assert county(isere_world, prefecture).plans_in_force() == []
    assert isere_world.cispd.name in [
        b.name for b in county(isere_world, prefecture).without_plan()
    ]
    assert isere_world.cispd.name not in [b.name for b in county(isere_world).without_plan()]


def test_the_horizontal_charts_name_their_bars(prefecture_client, isere_world):
    html = prefecture_client.get(reverse("dashboard:county", args=["38"])).content.decode()
    chart = html[html.index('id="chart-commitments-title"') :]
    chart = chart[: chart.index("</svg>")]
    assert "DIPN" in chart and "Ville de Grenoble" in chart


def test_several_seats_of_one_institution_count_a_meeting_once(isere_world):
    # the landlord gets two more seats: at each of the last three meetings, all three absent
    landlord = isere_world.landlord
    seats = [
        factories.membership(isere_world.clspd_g, factories.person(), landlord) for _ in range(2)
    ]
    from meetings.models import Meeting

    last_three = Meeting.objects.filter(body=isere_world.clspd_g).order_by("-starts_at")[:3]
    for meeting in last_three:
        for seat in seats:
            factories.attendance(meeting, seat.person, landlord, status="absent", membership=seat)
    rows = county(isere_world).stopped_coming()
    assert [r["institution__name"] for r in rows] == ["Bailleur"]
    # three police seats, all absent at the last meeting only (it came before): one meeting
    # missed, not three
    for _ in range(2):
        seat = factories.membership(isere_world.clspd_g, factories.person(), isere_world.police)
        factories.attendance(
            last_three[0], seat.person, isere_world.police, status="absent", membership=seat
        )
    assert [r["institution__name"] for r in county(isere_world).stopped_coming()] == ["Bailleur"]


def test_departments_without_a_figure_sort_last_either_way(isere_world):
    from partnerships.national import sorted_rows

    factories.department("69", "Rhône")
    rows = national_rows(ADMIN, full=True, on=ON)
    rows[1].expected = 0  # Rhône: no attendance figure
    for sort in ("attendance", "-attendance"):
        assert [r.department.code for r in sorted_rows(rows, sort)] == ["38", "69"]
    assert sorted_rows(rows, "nonsense") == rows


def test_a_chart_is_drawn_once_for_the_same_figures_and_anew_when_one_changes():
    from django.utils import translation

    from partnerships import charts

    def rows(overdue):
        return [
            {
                "owner_institution__name": "Police nationale",
                "open": 5,
                "overdue": overdue,
                "done": 3,
                "dropped": 1,
            },
            {"owner_institution__name": "Ville", "open": 2, "overdue": 0, "done": 4, "dropped": 0},
        ]

    first = charts.commitments_by_institution(rows(2))
    assert charts.commitments_by_institution(rows(2)) is first  # same figures: reused
    changed = charts.commitments_by_institution(rows(3))
    assert changed is not first and changed != first
    with translation.override("en"):
        english = charts.commitments_by_institution(rows(2))
    assert english is not first and "Overdue" in english


def test_an_empty_departments_page_runs_the_same_queries(client, isere_world, django_user_model):
    """No body, no commitment done late, no plan: the page still runs every query (none is
    skipped when its list is empty), so that its count is the same for every département."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bodies.models import RoleAssignment

    factories.department("69", "Rhône")
    user = django_user_model.objects.create_user("cipdr", "cipdr@example.org", "x")
    RoleAssignment.objects.create(user=user, role="national", started_on=D(2020, 1, 1))
    client.force_login(user)

    def count(code):
        url = reverse("dashboard:county", args=[code])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count("69") == count("38")
