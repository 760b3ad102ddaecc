"""Small factories: each builds one valid row with sensible defaults, overridable by keyword.

Territories here are real (INSEE codes of Isère and Rhône) so that tests read like the domain.
"""

import datetime
import itertools

from bodies.models import (
    Body,
    Commune,
    Department,
    Epci,
    Institution,
    Membership,
    Person,
    Region,
    Site,
)

_seq = itertools.count(1)


def region(code="84", name="Auvergne-Rhône-Alpes"):
    return Region.objects.get_or_create(code=code, defaults={"name": name})[0]


def department(code="38", name="Isère"):
    return Department.objects.get_or_create(code=code, defaults={"name": name, "region": region()})[
        0
    ]


def epci(siren="200040715", name="Grenoble-Alpes-Métropole", dept=None, kind="ME"):
    return Epci.objects.get_or_create(
        siren=siren, defaults={"name": name, "kind": kind, "department": dept or department()}
    )[0]


def commune(insee_code="38185", name="Grenoble", population=158454, dept=None, epci_=None):
    return Commune.objects.get_or_create(
        insee_code=insee_code,
        defaults={
            "name": name,
            "population": population,
            "department": dept or department(),
            "epci": epci_,
        },
    )[0]


def institution(category=Institution.Category.COMMUNE, name=None, dept=None, **kwargs):
    return Institution.objects.create(
        category=category,
        name=name or f"Institution {next(_seq)}",
        department=dept or department(),
        **kwargs,
    )


def person(first_name="Camille", last_name=None, created_by=None, **kwargs):
    """A person; `created_by` records the creating user in the history, as the admin does."""
    n = next(_seq)
    created = Person(
        first_name=first_name,
        last_name=last_name or f"Martin{n}",
        email=kwargs.pop("email", f"camille.martin{n}@example.org"),
        phone=kwargs.pop("phone", f"01 99 00 00 {n % 100:02d}"),
        **kwargs,
    )
    created._history_user = created_by
    created.save()
    return created


def body(type=Body.Type.CLSPD, **kwargs):
    """A valid body of the given type; territory and parent are made when not given."""
    if type in Body.COMMUNE_TYPES and "commune" not in kwargs:
        kwargs["commune"] = commune()
    if type in Body.EPCI_TYPES and "epci" not in kwargs:
        kwargs["epci"] = epci()
    if type in Body.DEPARTMENT_TYPES and "department" not in kwargs:
        kwargs["department"] = department()
    if type == Body.Type.GLTD:
        kwargs.setdefault(
            "parent",
            Body.objects.not_dissolved()
            .filter(type=Body.Type.CLSPD, commune=kwargs["commune"])
            .first()
            or body(Body.Type.CLSPD, commune=kwargs["commune"]),
        )
        kwargs.setdefault("problem_statement", "Trafic de stupéfiants autour de trois halls.")
        kwargs.setdefault("planned_end_on", datetime.date(2027, 6, 30))
    if type == Body.Type.WORKING_GROUP and "parent" not in kwargs:
        kwargs["parent"] = body(Body.Type.CLSPD, commune=commune("38151", "Échirolles", 36840))
    kwargs.setdefault("created_on", datetime.date(2015, 1, 1))
    return Body.objects.create(type=type, **kwargs)


def membership(body_, person_=None, institution_=None, **kwargs):
    kwargs.setdefault("started_on", datetime.date(2020, 1, 1))
    return Membership.objects.create(
        body=body_,
        person=person_ or person(),
        institution=institution_ or institution(),
        **kwargs,
    )


def site(name="Villeneuve", qpv_code="QN03801M", dept=None, **kwargs):
    return Site.objects.create(
        name=name, qpv_code=qpv_code, department=dept or department(), **kwargs
    )


def meeting(body_, starts_at=None, status="held", **kwargs):
    from django.utils import timezone

    from meetings.models import Meeting

    starts_at = starts_at or timezone.make_aware(datetime.datetime(2025, 3, 10, 18, 0))
    return Meeting.objects.create(body=body_, starts_at=starts_at, status=status, **kwargs)


def attendance(meeting_, person_, institution_, status="present", **kwargs):
    from meetings.models import Attendance

    return Attendance.objects.create(
        meeting=meeting_, person=person_, institution=institution_, status=status, **kwargs
    )


def commitment(meeting_, institution_, description="Installer un éclairage", **kwargs):
    from meetings.models import Commitment

    kwargs.setdefault("due_on", datetime.date(2025, 6, 30))
    return Commitment.objects.create(
        body=meeting_.body,
        meeting=meeting_,
        owner_institution=institution_,
        description=description,
        **kwargs,
    )


def body_form(**fields):
    """POST data of the body admin form, with empty membership inlines."""
    data = {
        "type": "CLSPD",
        "name": "",
        "other_names": "",
        "commune": "",
        "epci": "",
        "department": "",
        "parent": "",
        "created_on": "2024-01-15",
        "dissolved_on": "",
        "planned_end_on": "",
        "problem_statement": "",
        "problem_confidentiality": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-2-TOTAL_FORMS": "0",
        "memberships-2-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def plan(body_, title="STSPD 2024–2026", status="adopted", **kwargs):
    from actions.models import ActionPlan

    kwargs.setdefault("starts_on", datetime.date(2024, 1, 1))
    kwargs.setdefault("ends_on", datetime.date(2026, 12, 31))
    if status != "draft":
        kwargs.setdefault("adopted_on", datetime.date(2024, 1, 15))
    return ActionPlan.objects.create(body=body_, title=title, status=status, **kwargs)


def action(plan_, lead, title="Médiation sociale de nuit", **kwargs):
    from actions.models import Action

    return Action.objects.create(plan=plan_, lead_institution=lead, title=title, **kwargs)


def indicator(plan_, name="Cambriolages de logement", **kwargs):
    """A yearly indicator going down from 120 (2023) to 90 (2026) unless told otherwise."""
    from actions.models import Indicator

    kwargs.setdefault("unit", "faits")
    kwargs.setdefault("baseline_value", 120)
    kwargs.setdefault("baseline_on", datetime.date(2023, 1, 1))
    kwargs.setdefault("target_value", 90)
    kwargs.setdefault("target_on", datetime.date(2026, 1, 1))
    return Indicator.objects.create(plan=plan_, name=name, **kwargs)


def measurements(indicator_, values):
    """`values`: {period start (date) or year (int): value or None}."""
    from actions.models import Measurement

    return [
        Measurement.objects.create(
            indicator=indicator_,
            period_start=datetime.date(key, 1, 1) if isinstance(key, int) else key,
            value=value,
        )
        for key, value in values.items()
    ]
