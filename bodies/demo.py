"""Demo data: one real département (Isère) with fictional people, loaded from
`fixtures/demo/isere.json`.

Every row is matched on a natural key (institution name in the département, person e-mail,
QPV code or site name, body type and name, membership start), so loading twice changes nothing.
Bodies and memberships go through `full_clean()`: the demo obeys the same rules as users.
"""

import datetime
import json
import unicodedata
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import (
    Body,
    Commune,
    Department,
    Epci,
    Institution,
    Membership,
    Person,
    RoleAssignment,
    Site,
)

# Documented in the README; accounts are created only when DEBUG is on.
DEMO_PASSWORD = "demo-registre-38"

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "isere.json"


class MissingTerritories(RuntimeError):
    pass


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def demo_email(first_name: str, last_name: str) -> str:
    # example.org is reserved for documentation (RFC 2606): no real mailbox.
    return f"{ascii_slug(first_name)}.{ascii_slug(last_name)}@example.org"


def demo_phone(index: int) -> str:
    # 01 99 00 xx xx is reserved by ARCEP for fiction.
    return f"01 99 00 {index // 100:02d} {index % 100:02d}"


def parse_date(value):
    return datetime.date.fromisoformat(value) if value else None


def load_demo(path: Path = DEMO_FILE, with_users: bool = False) -> Counter:
    """Load the demo file; returns how many rows of each kind were created. With
    `with_users`, also one account per role, all with `DEMO_PASSWORD`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    created = Counter()
    try:
        department = Department.objects.get(code=data["department"])
    except Department.DoesNotExist:
        raise MissingTerritories(data["department"]) from None
    communes = {c.insee_code: c for c in Commune.objects.filter(department=department)}
    if not communes:
        raise MissingTerritories(data["department"])

    with transaction.atomic():
        institutions = {}
        for row in data["institutions"]:
            institution, was_created = Institution.objects.update_or_create(
                department=department,
                name=row["name"],
                defaults={
                    "category": row["category"],
                    "commune": communes.get(row.get("commune")),
                    "siren": row.get("siren", ""),
                },
            )
            institutions[row["name"]] = institution
            created["institutions"] += was_created

        people = {}
        for index, (key, values) in enumerate(data["people"].items(), start=1):
            first_name, last_name, *rest = values
            person, was_created = Person.objects.update_or_create(
                email=demo_email(first_name, last_name),
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "phone": demo_phone(index),
                    "public_name_consent": bool(rest and rest[0]),
                },
            )
            people[key] = person
            created["personnes"] += was_created

        sites = {}
        for row in data["sites"]:
            lookup = {"qpv_code": row["qpv_code"]} if row.get("qpv_code") else {"name": row["name"]}
            site, was_created = Site.objects.update_or_create(
                **lookup,
                defaults={
                    "name": row["name"],
                    "kind": row.get("kind", Site.Kind.QPV),
                    "department": department,
                    "selection_criteria": row.get("criteria", ""),
                    "designated_on": parse_date(row.get("designated_on")),
                },
            )
            site.full_clean()
            site.communes.set([communes[code] for code in row["communes"]])
            sites[row["key"]] = site
            created["sites"] += was_created

        bodies = {}
        for row in data["bodies"]:
            fields = {
                "type": row["type"],
                "name": row.get("name", ""),
                "other_names": row.get("other_names", ""),
                "commune": communes.get(row.get("commune")),
                "epci": Epci.objects.get(siren=row["epci"]) if row.get("epci") else None,
                "department": department,
                "parent": bodies.get(row.get("parent")),
                "created_on": parse_date(row.get("created_on")),
                "dissolved_on": parse_date(row.get("dissolved_on")),
                "planned_end_on": parse_date(row.get("planned_end_on")),
                "problem_statement": row.get("problem_statement", ""),
            }
            probe = Body(**fields)
            probe.derive_territory()
            body = (
                Body.objects.filter(
                    type=probe.type,
                    name=probe.name or probe.default_name(),
                    department_id=probe.department_id,
                ).first()
                or Body()
            )
            created["instances"] += body.pk is None
            for name, value in fields.items():
                setattr(body, name, value)
            body.full_clean()
            body.save()
            body.sites.set([sites[key] for key in row.get("sites", [])])
            bodies[row["key"]] = body

            for seat in row["seats"]:
                institution = institutions[seat["institution"]]
                substitute = people.get(seat.get("substitute"))
                for person_key, started_on, ended_on in seat["holders"]:
                    membership = Membership.objects.filter(
                        body=body, person=people[person_key], started_on=parse_date(started_on)
                    ).first() or Membership(
                        body=body, person=people[person_key], started_on=parse_date(started_on)
                    )
                    created["mandats"] += membership.pk is None
                    membership.institution = institution
                    membership.role = seat["role"]
                    membership.ended_on = parse_date(ended_on)
                    membership.substitute = substitute
                    membership.full_clean()
                    membership.save()

        created.update(recent_turnover(bodies["clspd_vie"]))
        if with_users:
            created["comptes"] += load_users(data["users"], department, people, bodies)
    return created


LEFT_DAYS_AGO, SUCCEEDED_DAYS_AGO = 90, 3


def recent_turnover(body, today: datetime.date | None = None) -> Counter:
    """The dashboards' key people, relative to the day of loading: the coordinator of
    `body` (Vienne's CLSPD) left ninety days ago and a successor, a fictional person, took
    the seat three days ago — a departure, and a change the body has not met since."""
    today = today or timezone.localdate()
    created = Counter()
    left_on = today - datetime.timedelta(days=LEFT_DAYS_AGO)
    seat = Membership.objects.filter(
        body=body, role=Membership.Role.COORDINATOR, started_on__lt=left_on
    ).first()
    if seat is None:
        return created
    if seat.ended_on is None:  # the file, loaded again, gives it no end
        seat.ended_on = left_on
        seat.full_clean()
        seat.save()
    successor, was_created = Person.objects.get_or_create(
        email=demo_email("Maëlle", "Rousseau"),
        defaults={"first_name": "Maëlle", "last_name": "Rousseau", "phone": demo_phone(9938)},
    )
    created["personnes"] += was_created
    if Membership.objects.filter(body=body, person=successor).exists():
        return created
    membership = Membership(
        body=body,
        person=successor,
        institution=seat.institution,
        role=Membership.Role.COORDINATOR,
        started_on=today - datetime.timedelta(days=SUCCEEDED_DAYS_AGO),
    )
    membership.full_clean()
    membership.save()
    created["mandats"] += 1
    return created


def load_users(rows, department, people, bodies) -> int:
    User = get_user_model()
    created = 0
    for row in rows:
        user, was_created = User.objects.get_or_create(
            username=row["username"],
            defaults={
                "first_name": row.get("first_name", ""),
                "last_name": row.get("last_name", ""),
                "is_superuser": row.get("superuser", False),
                "is_staff": row.get("superuser", False),
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        if row.get("person"):
            person = people[row["person"]]
            if person.user_id != user.pk:
                person.user = user
                person.save()
        for role in row.get("roles", []):
            RoleAssignment.objects.get_or_create(
                user=user,
                role=role["role"],
                department=department if role.get("department") else None,
                body=bodies[role["body"]] if role.get("body") else None,
                defaults={"started_on": datetime.date(2024, 1, 1)},
            )
    return created
