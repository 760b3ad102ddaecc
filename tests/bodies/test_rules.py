"""Each rule of the registry: enforced by the database (named constraint) when code bypasses
validation, and explained in French by `clean()` when a user breaks it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from bodies.models import Body, Institution, Membership, Site
from bodies.validators import qpv_department_code, validate_insee_code, validate_siren
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_constraint(name, create):
    """The database refuses the row, naming the constraint (SQLite names CHECKs; unique
    indexes are reported by column, so accept an IntegrityError there)."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        create()
    text = str(error.value)
    assert name in text or (
        connection.vendor == "sqlite" and text.startswith("UNIQUE constraint failed")
    ), text


def messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict.get(field, []))


# -- bodies: territory by type -------------------------------------------------------------


def test_clspd_without_commune_is_refused_by_database(isere):
    assert_constraint(
        "bodies_body_territory_matches_type",
        lambda: Body.objects.bulk_create([Body(type="CLSPD", name="x", department=isere)]),
    )


def test_clspd_without_commune_gets_french_message(isere):
    with pytest.raises(ValidationError) as error:
        Body(type="CLSPD", department=isere).full_clean()
    assert "rattaché à une commune" in messages(error.value, "commune")


def test_cispd_needs_an_epci_not_a_commune(grenoble):
    with pytest.raises(ValidationError) as error:
        Body(type="CISPD", commune=grenoble).full_clean()
    assert "EPCI" in messages(error.value, "epci")
    assert "ne choisissez pas de commune" in messages(error.value, "commune")


def test_county_body_with_a_commune_is_refused(grenoble, isere):
    with pytest.raises(ValidationError) as error:
        Body(type="CDPD", commune=grenoble, department=isere).full_clean()
    assert "départemental" in messages(error.value, "commune")
    assert_constraint(
        "bodies_body_territory_matches_type",
        lambda: Body.objects.bulk_create(
            [Body(type="CDPD", name="x", commune=grenoble, department=isere)]
        ),
    )


def test_department_is_derived_from_commune_and_epci(grenoble):
    rhone = factories.department("69", "Rhône")
    body = factories.body(commune=grenoble, department=rhone)
    assert body.department.code == "38"
    cispd = factories.body(Body.Type.CISPD, epci=grenoble.epci)
    assert cispd.department.code == "38"


def test_default_name_elides_before_vowel(isere):
    echirolles = factories.commune("38151", "Échirolles", 36840, isere)
    assert factories.body(commune=echirolles).name == "CLSPD d’Échirolles"
    assert factories.body(Body.Type.CDPD, department=isere).name == "CDPD d’Isère"


# -- bodies: GLTD, working groups, parents -------------------------------------------------


def test_gltd_needs_parent_problem_and_end_date(clspd, grenoble):
    with pytest.raises(ValidationError) as error:
        Body(type="GLTD", commune=grenoble).full_clean()
    assert "CLSPD" in messages(error.value, "parent")
    assert "problématique" in messages(error.value, "problem_statement")
    assert "date de fin" in messages(error.value, "planned_end_on")
    assert_constraint(
        "bodies_body_gltd_has_parent_problem_and_end",
        lambda: Body.objects.bulk_create(
            [
                Body(
                    type="GLTD",
                    name="x",
                    commune=grenoble,
                    department=grenoble.department,
                    parent=clspd,
                )
            ]
        ),
    )


def test_gltd_parent_must_be_clspd_of_same_commune(clspd, isere):
    vienne = factories.commune("38544", "Vienne", 29306, isere)
    gltd = Body(
        type="GLTD",
        commune=vienne,
        parent=clspd,
        problem_statement="Cambriolages",
        planned_end_on=D(2027, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        gltd.full_clean()
    assert "même commune" in messages(error.value, "parent")


def test_gltd_cannot_hang_under_a_cispd(grenoble):
    cispd = factories.body(Body.Type.CISPD, epci=grenoble.epci)
    gltd = Body(
        type="GLTD",
        commune=grenoble,
        parent=cispd,
        problem_statement="x",
        planned_end_on=D(2027, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        gltd.full_clean()
    assert "relève d’un CLSPD" in messages(error.value, "parent")


def test_working_group_takes_its_parents_territory(clspd):
    group = factories.body(Body.Type.WORKING_GROUP, parent=clspd, name="Cellule de veille")
    assert (group.commune, group.department) == (clspd.commune, clspd.department)


def test_only_subgroups_have_a_parent(clspd, isere):
    with pytest.raises(ValidationError) as error:
        Body(type="CDPD", department=isere, parent=clspd).full_clean()
    assert "rattachement" in messages(error.value, "parent")
    assert_constraint(
        "bodies_body_parent_only_for_subgroups",
        lambda: Body.objects.bulk_create(
            [Body(type="CDPD", name="x", department=isere, parent=clspd)]
        ),
    )


def test_dissolution_cannot_precede_creation(grenoble):
    body = Body(
        type="CLSPD", commune=grenoble, created_on=D(2020, 1, 1), dissolved_on=D(2019, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        body.full_clean()
    assert "précéder la création" in messages(error.value, "dissolved_on")
    body.derive_territory()
    body.name = "x"
    assert_constraint(
        "bodies_body_dissolved_after_created", lambda: Body.objects.bulk_create([body])
    )


def test_one_active_clspd_per_commune_but_a_dissolved_one_may_remain(clspd, grenoble):
    with pytest.raises(ValidationError) as error:
        Body(type="CLSPD", commune=grenoble).full_clean()
    assert "déjà un CLSPD en activité" in str(error.value)
    clspd.dissolved_on = D(2020, 6, 30)
    clspd.save()
    Body(type="CLSPD", commune=grenoble).full_clean()  # a successor is allowed


def test_one_active_county_body_of_each_type(isere):
    factories.body(Body.Type.CDPD, department=isere)
    factories.body(Body.Type.CODAF, department=isere)  # another type: fine
    with pytest.raises(ValidationError) as error:
        Body(type="CDPD", department=isere).full_clean()
    assert "déjà une instance de ce type" in str(error.value)


def test_restricted_types_default_to_restricted_confidentiality(clspd):
    group = factories.body(Body.Type.WORKING_GROUP, parent=clspd, name="Cellule de veille")
    assert clspd.default_confidentiality == "public"
    assert group.default_confidentiality == "restricted"


# -- memberships ---------------------------------------------------------------------------


def test_membership_end_after_start(clspd):
    m = Membership(
        body=clspd,
        person=factories.person(),
        institution=factories.institution(),
        started_on=D(2021, 1, 1),
        ended_on=D(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        m.full_clean()
    assert "ne peut précéder son début" in messages(error.value, "ended_on")
    assert_constraint("bodies_membership_end_after_start", lambda: m.save())


def test_a_one_day_membership_is_allowed(clspd):
    factories.membership(clspd, started_on=D(2021, 1, 1), ended_on=D(2021, 1, 1)).full_clean()


def test_substitute_is_not_the_member(clspd):
    p = factories.person()
    m = Membership(
        body=clspd,
        person=p,
        substitute=p,
        institution=factories.institution(),
        started_on=D(2021, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        m.full_clean()
    assert "propre suppléante" in messages(error.value, "substitute")
    assert_constraint("bodies_membership_substitute_not_self", lambda: m.save())


def test_at_most_one_open_chair_in_the_database(clspd):
    mayor = factories.institution(Institution.Category.COMMUNE)
    factories.membership(clspd, institution_=mayor, role="chair")
    assert_constraint(
        "bodies_membership_one_open_chair_per_body",
        lambda: factories.membership(
            clspd, institution_=mayor, role="chair", started_on=D(2022, 1, 1)
        ),
    )


def test_overlapping_chair_periods_are_refused_with_advice(clspd):
    mayor = factories.institution(Institution.Category.COMMUNE)
    factories.membership(
        clspd, institution_=mayor, role="chair", started_on=D(2014, 4, 4), ended_on=D(2020, 7, 3)
    )
    overlapping = Membership(
        body=clspd,
        person=factories.person(),
        institution=mayor,
        role="chair",
        started_on=D(2020, 7, 1),
    )
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert "terminez d’abord son mandat" in messages(error.value, "role")
    successor = Membership(
        body=clspd,
        person=factories.person(),
        institution=mayor,
        role="chair",
        started_on=D(2020, 7, 4),
    )
    successor.full_clean()  # the day after: turnover, not overlap


def test_chair_must_come_from_the_institution_that_chairs_the_type(clspd):
    police = factories.institution(Institution.Category.NATIONAL_POLICE)
    m = Membership(
        body=clspd,
        person=factories.person(),
        institution=police,
        role="chair",
        started_on=D(2021, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        m.full_clean()
    assert "présidé par : Commune" in messages(error.value, "institution")


def test_same_person_cannot_hold_two_overlapping_seats_in_a_body(clspd):
    first = factories.membership(clspd, started_on=D(2020, 1, 1))
    again = Membership(
        body=clspd, person=first.person, institution=first.institution, started_on=D(2021, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        again.full_clean()
    assert "siège déjà" in messages(error.value, "started_on")


def test_same_person_may_hold_successive_periods(clspd):
    first = factories.membership(clspd, started_on=D(2015, 1, 1), ended_on=D(2017, 12, 31))
    Membership(
        body=clspd, person=first.person, institution=first.institution, started_on=D(2020, 1, 1)
    ).full_clean()


# -- sites and codes -----------------------------------------------------------------------


def test_qpv_code_format_is_enforced(isere):
    with pytest.raises(ValidationError) as error:
        Site(name="X", qpv_code="QX12345", department=isere).full_clean()
    assert "n’est pas un code QPV" in messages(error.value, "qpv_code")
    assert_constraint(
        "bodies_site_qpv_code_format",
        lambda: Site.objects.create(name="X", qpv_code="QN0380", department=isere),
    )


def test_qpv_code_must_name_the_sites_department(isere):
    with pytest.raises(ValidationError) as error:
        Site(name="X", qpv_code="QN06901M", department=isere).full_clean()
    assert "département 69" in messages(error.value, "qpv_code")
    Site(name="Y", qpv_code="QP03801M", department=isere).full_clean()


def test_a_qpv_needs_its_code(isere):
    assert_constraint(
        "bodies_site_qpv_has_code",
        lambda: Site.objects.create(name="X", kind="qpv", qpv_code="", department=isere),
    )
    Site(name="Gare", kind="other", department=isere).full_clean()


@pytest.mark.parametrize(
    ("code", "department"),
    [("QN03801M", "38"), ("QN02A01B", "2A"), ("QN97401C", "974"), ("QP07501A", "75")],
)
def test_qpv_department_code(code, department):
    assert qpv_department_code(code) == department


@pytest.mark.parametrize("code", ["38185", "2A004", "97411"])
def test_valid_insee_codes(code):
    validate_insee_code(code)


@pytest.mark.parametrize("code", ["3818", "2C004", "AB123", "381850", ""])
def test_invalid_insee_codes_are_refused(code):
    with pytest.raises(ValidationError, match="code INSEE"):
        validate_insee_code(code)


def test_commune_insee_code_format_in_database(isere):
    assert_constraint(
        "bodies_commune_insee_code_format",
        lambda: factories.commune("3818A", "Nowhere", 1, isere),
    )


def test_siren_checksum():
    validate_siren("200040715")  # Grenoble-Alpes-Métropole
    with pytest.raises(ValidationError, match="SIREN"):
        validate_siren("200040716")


def test_institution_commune_must_be_in_its_department(grenoble):
    rhone = factories.department("69", "Rhône")
    with pytest.raises(ValidationError) as error:
        Institution(category="commune", name="X", department=rhone, commune=grenoble).full_clean()
    assert "département de l’institution" in messages(error.value, "commune")


def test_institution_names_are_unique_within_a_department(isere):
    factories.institution(name="Préfecture de l’Isère", dept=isere)
    with pytest.raises(ValidationError) as error:
        Institution(
            category="prefecture", name="Préfecture de l’Isère", department=isere
        ).full_clean()
    assert "porte déjà ce nom" in str(error.value)
