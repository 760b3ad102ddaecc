import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from bodies.access import access_for, uses_administration
from bodies.models import Body, Department, Institution, Membership, Person, Site

pytestmark = pytest.mark.django_db


def test_demo_covers_every_body_type_and_institution_category(demo):
    assert set(Body.objects.values_list("type", flat=True)) == set(Body.Type.values)
    assert set(Institution.objects.values_list("category", flat=True)) == set(
        Institution.Category.values
    )
    assert not Body.objects.exclude(department__code="38").exists()


def test_demo_shows_turnover_of_chairs_and_coordinators(demo):
    grenoble = Body.objects.get(type="CLSPD", commune__insee_code="38185")
    chairs = grenoble.memberships.filter(role="chair").order_by("started_on")
    assert chairs.count() == 2
    assert chairs[0].ended_on is not None and chairs[1].ended_on is None
    assert grenoble.memberships.filter(role="coordinator").ended().exists()
    assert Membership.objects.ended().count() >= 10


def test_demo_people_are_fictional(demo):
    assert not Person.objects.exclude(email__endswith="@example.org").exists()
    assert not Person.objects.exclude(phone__startswith="01 99 00").exists()


def test_demo_subgroups_hang_under_clspds(demo):
    gltd = Body.objects.get(type="GLTD")
    assert gltd.parent.type == "CLSPD" and gltd.parent.commune_id == gltd.commune_id
    assert gltd.problem_statement and gltd.planned_end_on
    assert (
        Body.objects.filter(type="GT").values("parent__type").annotate(n=Count("pk")).count() == 2
    )
    assert Body.objects.dissolved().filter(type="CLSPD").exists()
    assert Site.objects.filter(kind="qpv").count() >= 5


def test_demo_is_idempotent(demo, capsys):
    counts = [m.objects.count() for m in (Body, Institution, Membership, Person, Site)]
    call_command("load_demo")
    assert [m.objects.count() for m in (Body, Institution, Membership, Person, Site)] == counts
    assert "créé(e)s — 0 comptes, 0 instances, 0 institutions, 0 mandats, 0 personnes, 0 sites" in (
        capsys.readouterr().out
    )


def test_demo_has_one_account_per_role(demo, django_user_model):
    assert django_user_model.objects.get(username="admin").is_superuser
    prefecture = access_for(django_user_model.objects.get(username="prefecture38"))
    assert [Department.objects.get(pk=pk).code for pk in prefecture.departments] == ["38"]
    coordinator = access_for(django_user_model.objects.get(username="coordination-grenoble"))
    assert [Body.objects.get(pk=pk).name for pk in coordinator.coordinated] == ["CLSPD de Grenoble"]
    member = access_for(django_user_model.objects.get(username="membre-bailleur"))
    assert member.person_id and not uses_administration(member)
    assert Body.objects.get(type="GLTD").pk in member.member_of
    assert access_for(django_user_model.objects.get(username="chercheur")).is_researcher


def test_demo_creates_accounts_only_in_debug(demo, django_user_model, settings):
    django_user_model.objects.all().delete()
    settings.DEBUG = False
    call_command("load_demo")
    assert not django_user_model.objects.exists()


def test_demo_without_territories_says_what_to_run():
    with pytest.raises(CommandError, match="load_territories --departments 38"):
        call_command("load_demo")
