"""Institutions, people, priority sites, bodies and memberships.

A body's members fill seats: the mayor chairs the CLSPD on behalf of the commune, a
sub-prefect sits in it ex officio, and so on (`SEATS`). A seat is held through a post of an
institution (« maire de Vienne », « substitut référent no 2 du parquet »), and a post is held
by one person after another: elected posts change hands at elections, others after a few years,
sometimes after a vacancy. A post shared by several bodies is held by the same person in all
of them — the sub-prefect sits in every CLSPD of the arrondissement, the mayor chairs the CLSPD
and sits in the CISPD — so a departure shows everywhere at once, as it does in life.

A seat's memberships are the post's holders over the seat's life: a change of holder ends one
membership and starts the next, which is how the registry records turnover. Some seats start
after the body (an institution joined later) or end before it (it withdrew); a CLSPD may lose
its coordinator and not replace them.

Each post draws its holders from its own random generator, so a post shared by many bodies
has the same history whichever body needs it first.
"""

import dataclasses
import datetime
import random
import unicodedata
import zlib

from bodies.models import Body, Institution, Membership, folded, with_de
from bodies.validators import luhn_ok

from . import tables, vocabulary
from .dates import day_between, years_before
from .layout import Area, BodyPlan, Place

C = Institution.Category
R = Membership.Role

# Elections after which elected posts may change hands (installation of the new councils).
MUNICIPAL_ELECTIONS = (
    datetime.date(2008, 3, 21),
    datetime.date(2014, 4, 4),
    datetime.date(2020, 7, 3),
)
DEPARTMENTAL_ELECTIONS = (
    datetime.date(2011, 3, 31),
    datetime.date(2015, 4, 2),
    datetime.date(2021, 7, 1),
)
# Mean years in post of appointed people, by kind of post.
TENURE_YEARS = {
    "prefect": 3.0,
    "justice": 8.0,
    "state": 10.0,
    "coordinator": 6.0,
    "staff": 15.0,
    "civil": 20.0,
}


def elections(kind: str, today: datetime.date) -> list[datetime.date]:
    if kind == "departmental":
        known, first_next = DEPARTMENTAL_ELECTIONS, 2028
    else:
        known, first_next = MUNICIPAL_ELECTIONS, 2026
    dates = list(known) + [datetime.date(y, 4, 3) for y in range(first_next, today.year + 1, 6)]
    if kind == "epci":  # community councils elect their president after the municipal vote
        dates = [d + datetime.timedelta(days=80) for d in dates]
    return dates


@dataclasses.dataclass(frozen=True)
class Seat:
    category: str
    role: str
    post: str
    kind: str  # tenure: "municipal", "epci", "departmental" or a key of TENURE_YEARS
    # Who else holds the same post: "place" (the body's commune or EPCI), "dept" (the whole
    # département), "body" (nobody), or a number k: one of k posts of the département,
    # chosen by the place (an arrondissement, a police district).
    share: object
    chance: float = 1.0


def seat(category, role, post, kind, share, chance=1.0):
    return Seat(category, role, post, kind, share, chance)


COUNTY_CORE = (
    seat(C.PARQUET, R.EX_OFFICIO, "procureur de la République", "justice", "dept"),
    seat(C.NATIONAL_POLICE, R.EX_OFFICIO, "directeur interdépartemental", "state", "dept"),
    seat(C.GENDARMERIE, R.EX_OFFICIO, "commandant du groupement", "state", "dept"),
)
SEATS = {
    Body.Type.CLSPD: (
        seat(C.COMMUNE, R.CHAIR, "maire", "municipal", "place"),
        seat(C.COMMUNE, R.VICE_CHAIR, "adjoint à la sécurité", "municipal", "place", 0.8),
        seat(C.COMMUNE, R.COORDINATOR, "coordonnateur du CLSPD", "coordinator", "place"),
        seat(C.COMMUNE, R.SECRETARIAT, "secrétariat du CLSPD", "staff", "place", 0.3),
        seat(C.COMMUNE, R.APPOINTED, "adjoint à la jeunesse", "municipal", "place", 0.8),
        seat(C.COMMUNE, R.APPOINTED, "conseiller municipal délégué", "municipal", "place", 0.8),
        seat(C.COMMUNE, R.APPOINTED, "conseiller municipal", "municipal", "place", 0.8),
        seat(
            C.COMMUNE, R.APPOINTED, "directeur de la tranquillité publique", "staff", "place", 0.4
        ),
        seat(C.COMMUNE, R.APPOINTED, "directeur du CCAS", "staff", "place", 0.6),
        seat(C.PREFECTURE, R.EX_OFFICIO, "sous-préfet d’arrondissement", "prefect", 4),
        seat(C.PARQUET, R.EX_OFFICIO, "substitut référent", "justice", 3),
        seat(C.EPCI, R.EX_OFFICIO, "président", "epci", "place", 0.5),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "chef de circonscription", "state", "place"),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "délégué cohésion police-population", "state", 4, 0.5),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant de compagnie", "state", 5),
        seat(C.MUNICIPAL_POLICE, R.APPOINTED, "chef de service", "staff", "place", 0.9),
        seat(
            C.DEPARTMENT_COUNCIL, R.APPOINTED, "conseiller départemental", "departmental", 12, 0.7
        ),
        seat(C.EDUCATION, R.APPOINTED, "principal de collège", "staff", "place", 0.8),
        seat(C.EDUCATION, R.APPOINTED, "proviseur vie scolaire", "state", 2, 0.5),
        seat(C.PJJ, R.APPOINTED, "responsable d’unité éducative", "state", 3, 0.6),
        seat(C.SPIP, R.APPOINTED, "conseiller pénitentiaire référent", "state", 3, 0.5),
        seat(C.SOCIAL_LANDLORD, R.APPOINTED, "responsable d’agence", "staff", 3, 0.85),
        seat(C.TRANSPORT, R.APPOINTED, "responsable sûreté", "staff", "dept", 0.8),
        seat(C.VICTIM_SUPPORT, R.ASSOCIATE, "juriste", "civil", 3, 0.9),
        seat(C.PREVENTION, R.ASSOCIATE, "chef de service éducatif", "civil", 3, 0.9),
        seat(C.PREVENTION, R.ASSOCIATE, "médiateur", "civil", 4, 0.6),
        seat(C.HEALTH, R.ASSOCIATE, "médecin addictologue", "civil", 2, 0.6),
        seat(C.FIRE_SERVICE, R.APPOINTED, "chef de centre", "state", 6, 0.6),
        seat(C.TENANTS, R.ASSOCIATE, "représentant des locataires", "civil", 4, 0.5),
        seat(C.RESIDENTS, R.ASSOCIATE, "personne qualifiée", "civil", 6, 0.9),
        seat(C.RESIDENTS, R.ASSOCIATE, "représentant du conseil citoyen", "civil", "body", 0.6),
        seat(C.PRIVATE_SECURITY, R.ASSOCIATE, "responsable d’agence", "civil", "dept", 0.15),
        seat(
            C.COMMUNE, R.APPOINTED, "adjoint à la politique de la ville", "municipal", "place", 0.5
        ),
        seat(
            C.COMMUNE, R.APPOINTED, "conseiller municipal d’opposition", "municipal", "place", 0.5
        ),
        seat(C.COMMUNE, R.APPOINTED, "responsable du service jeunesse", "staff", "place", 0.5),
        seat(
            C.SOCIAL_LANDLORD, R.APPOINTED, "chargé de tranquillité résidentielle", "staff", 3, 0.5
        ),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant de brigade", "state", 8, 0.6),
        seat(C.DEPARTMENT_COUNCIL, R.APPOINTED, "travailleur social de secteur", "staff", 6, 0.4),
        seat(C.VICTIM_SUPPORT, R.ASSOCIATE, "intervenant social en commissariat", "civil", 3, 0.3),
        seat(C.RESIDENTS, R.ASSOCIATE, "seconde personne qualifiée", "civil", 6, 0.5),
        seat(C.COMMUNE, R.APPOINTED, "délégué à la prévention", "municipal", "place", 0.7),
        seat(C.COMMUNE, R.APPOINTED, "chef de projet politique de la ville", "staff", "place", 0.6),
        seat(C.SOCIAL_LANDLORD, R.APPOINTED, "gardien référent", "staff", 3, 0.5),
        seat(C.EDUCATION, R.APPOINTED, "conseiller principal d’éducation", "staff", "place", 0.5),
        seat(C.PREVENTION, R.ASSOCIATE, "adulte-relais", "civil", 4, 0.5),
        seat(C.RESIDENTS, R.ASSOCIATE, "association de quartier", "civil", "body", 0.6),
    ),
    Body.Type.CISPD: (
        seat(C.EPCI, R.CHAIR, "président", "epci", "place"),
        seat(C.EPCI, R.VICE_CHAIR, "vice-président délégué à la prévention", "epci", "place", 0.8),
        seat(C.EPCI, R.COORDINATOR, "coordonnateur du CISPD", "coordinator", "place"),
        seat(C.EPCI, R.SECRETARIAT, "secrétariat du CISPD", "staff", "place", 0.3),
        seat(C.EPCI, R.APPOINTED, "directeur de la cohésion sociale", "staff", "place", 0.5),
        seat(C.PREFECTURE, R.EX_OFFICIO, "sous-préfet d’arrondissement", "prefect", 4),
        seat(C.PARQUET, R.EX_OFFICIO, "substitut référent", "justice", 3),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant de compagnie", "state", 5),
        seat(
            C.DEPARTMENT_COUNCIL, R.APPOINTED, "conseiller départemental", "departmental", 12, 0.7
        ),
        seat(C.EDUCATION, R.APPOINTED, "principal de collège", "staff", "place", 0.7),
        seat(C.PJJ, R.APPOINTED, "responsable d’unité éducative", "state", 3, 0.6),
        seat(C.SPIP, R.APPOINTED, "conseiller pénitentiaire référent", "state", 3, 0.4),
        seat(C.SOCIAL_LANDLORD, R.APPOINTED, "responsable d’agence", "staff", 3, 0.7),
        seat(C.VICTIM_SUPPORT, R.ASSOCIATE, "juriste", "civil", 3, 0.7),
        seat(C.PREVENTION, R.ASSOCIATE, "chef de service éducatif", "civil", 3, 0.7),
        seat(C.HEALTH, R.ASSOCIATE, "médecin addictologue", "civil", 2, 0.3),
        seat(C.FIRE_SERVICE, R.APPOINTED, "chef de centre", "state", 6, 0.4),
        seat(C.RESIDENTS, R.ASSOCIATE, "personne qualifiée", "civil", 6, 0.8),
        seat(C.RESIDENTS, R.ASSOCIATE, "représentant du conseil citoyen", "civil", "body", 0.4),
        seat(C.EPCI, R.APPOINTED, "conseiller communautaire délégué", "epci", "place", 0.6),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "chef de circonscription", "state", "place"),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant de brigade", "state", 8, 0.6),
        seat(C.MUNICIPAL_POLICE, R.APPOINTED, "chef de service", "staff", "place", 0.5),
        seat(C.TRANSPORT, R.APPOINTED, "responsable sûreté", "staff", "dept", 0.3),
        seat(C.TENANTS, R.ASSOCIATE, "représentant des locataires", "civil", 4, 0.3),
        seat(C.EPCI, R.APPOINTED, "conseiller communautaire", "epci", "place", 0.6),
        seat(C.PREVENTION, R.ASSOCIATE, "médiateur", "civil", 4, 0.5),
        seat(C.DEPARTMENT_COUNCIL, R.APPOINTED, "travailleur social de secteur", "staff", 6, 0.4),
    ),
    Body.Type.CDPD: (
        seat(C.PREFECTURE, R.CHAIR, "préfet", "prefect", "dept"),
        seat(C.DEPARTMENT_COUNCIL, R.VICE_CHAIR, "président", "departmental", "dept"),
        seat(C.PREFECTURE, R.SECRETARIAT, "chef du bureau de la prévention", "state", "dept"),
        seat(C.PREFECTURE, R.EX_OFFICIO, "directeur de cabinet", "prefect", "dept"),
        *COUNTY_CORE,
        seat(C.EDUCATION, R.EX_OFFICIO, "directeur académique", "state", "dept"),
        seat(C.PJJ, R.EX_OFFICIO, "directeur territorial", "state", "dept"),
        seat(C.SPIP, R.EX_OFFICIO, "directeur", "state", "dept"),
        seat(
            C.DEPARTMENT_COUNCIL, R.APPOINTED, "vice-président délégué", "departmental", "dept", 0.8
        ),
        seat(C.FIRE_SERVICE, R.APPOINTED, "directeur départemental", "state", "dept", 0.7),
        seat(C.SOCIAL_LANDLORD, R.APPOINTED, "directeur général", "staff", "dept", 0.8),
        seat(C.TRANSPORT, R.APPOINTED, "directeur sûreté", "staff", "dept", 0.5),
        seat(C.VICTIM_SUPPORT, R.ASSOCIATE, "directeur", "civil", "dept", 0.9),
        seat(C.PREVENTION, R.ASSOCIATE, "directeur", "civil", "dept", 0.8),
        seat(C.HEALTH, R.ASSOCIATE, "médecin coordonnateur", "civil", "dept", 0.6),
        seat(C.RESIDENTS, R.ASSOCIATE, "personne qualifiée", "civil", "body", 0.5),
        seat(C.PRIVATE_SECURITY, R.ASSOCIATE, "délégué régional", "civil", "dept", 0.3),
        seat(C.PREFECTURE, R.EX_OFFICIO, "sous-préfet d’arrondissement", "prefect", 4),
        seat(
            C.NATIONAL_POLICE, R.APPOINTED, "chef de la sûreté départementale", "state", "dept", 0.7
        ),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant en second", "state", "dept", 0.6),
        seat(C.EDUCATION, R.APPOINTED, "proviseur vie scolaire", "state", 2, 0.5),
    ),
    Body.Type.CODAF: (
        seat(C.PREFECTURE, R.CHAIR, "préfet", "prefect", "dept"),
        seat(C.PARQUET, R.VICE_CHAIR, "procureur de la République", "justice", "dept"),
        seat(C.PREFECTURE, R.SECRETARIAT, "secrétaire du CODAF", "state", "dept"),
        seat(C.PREFECTURE, R.APPOINTED, "directeur de cabinet", "prefect", "dept"),
        seat(C.PARQUET, R.APPOINTED, "substitut aux affaires économiques", "justice", "dept"),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "chef de la police judiciaire", "state", "dept"),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant de la section de recherches", "state", "dept"),
        seat(C.DEPARTMENT_COUNCIL, R.APPOINTED, "directeur de l’insertion", "staff", "dept"),
        seat(C.HEALTH, R.APPOINTED, "responsable de la lutte contre la fraude", "staff", "dept"),
        seat(C.SOCIAL_LANDLORD, R.APPOINTED, "directeur général", "staff", "dept", 0.4),
        seat(
            C.TRANSPORT,
            R.APPOINTED,
            "responsable de la lutte contre la fraude",
            "staff",
            "dept",
            0.5,
        ),
        seat(C.PREFECTURE, R.APPOINTED, "chef du bureau de la prévention", "state", "dept", 0.5),
        seat(
            C.NATIONAL_POLICE, R.APPOINTED, "chef de la sûreté départementale", "state", "dept", 0.6
        ),
        seat(
            C.GENDARMERIE,
            R.APPOINTED,
            "commandant de la brigade de recherches",
            "state",
            "dept",
            0.6,
        ),
        seat(C.SPIP, R.APPOINTED, "directeur", "state", "dept", 0.4),
        seat(C.PREFECTURE, R.APPOINTED, "chargé de mission fraude", "state", "dept", 0.7),
        seat(C.DEPARTMENT_COUNCIL, R.APPOINTED, "contrôleur du RSA", "staff", "dept", 0.6),
        seat(C.HEALTH, R.APPOINTED, "médecin-conseil", "civil", "dept", 0.5),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "directeur interdépartemental", "state", "dept", 0.5),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant du groupement", "state", "dept", 0.5),
        seat(
            C.DEPARTMENT_COUNCIL, R.APPOINTED, "vice-président délégué", "departmental", "dept", 0.4
        ),
    ),
    Body.Type.CDPR: (
        seat(C.PREFECTURE, R.CHAIR, "préfet", "prefect", "dept"),
        seat(C.PREFECTURE, R.VICE_CHAIR, "directeur de cabinet", "prefect", "dept"),
        seat(C.PREFECTURE, R.SECRETARIAT, "chef du bureau de la prévention", "state", "dept"),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "chef du renseignement territorial", "state", "dept"),
        seat(C.GENDARMERIE, R.APPOINTED, "officier adjoint renseignement", "state", "dept"),
        seat(C.PARQUET, R.APPOINTED, "procureur de la République", "justice", "dept"),
        seat(C.EDUCATION, R.APPOINTED, "conseiller technique", "state", "dept"),
        seat(C.PJJ, R.APPOINTED, "directeur territorial", "state", "dept"),
        seat(C.SPIP, R.APPOINTED, "directeur", "state", "dept"),
        seat(
            C.DEPARTMENT_COUNCIL,
            R.APPOINTED,
            "directeur de l’enfance et de la famille",
            "staff",
            "dept",
        ),
        seat(C.HEALTH, R.ASSOCIATE, "psychiatre référent", "civil", "dept"),
        seat(C.PREFECTURE, R.APPOINTED, "référent radicalisation", "state", "dept"),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "référent radicalisation", "state", "dept", 0.7),
        seat(C.VICTIM_SUPPORT, R.ASSOCIATE, "directeur", "civil", "dept", 0.4),
        seat(C.PJJ, R.APPOINTED, "éducateur référent radicalisation", "state", "dept", 0.6),
        seat(C.SPIP, R.APPOINTED, "référent radicalisation", "state", "dept", 0.6),
        seat(C.EDUCATION, R.APPOINTED, "référent radicalisation académique", "state", "dept", 0.5),
        seat(
            C.DEPARTMENT_COUNCIL,
            R.APPOINTED,
            "responsable de l’aide sociale à l’enfance",
            "staff",
            "dept",
            0.7,
        ),
        seat(C.HEALTH, R.ASSOCIATE, "psychologue", "civil", "dept", 0.5),
        seat(C.PREFECTURE, R.APPOINTED, "sous-préfet d’arrondissement", "prefect", 4, 0.6),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant du groupement", "state", "dept", 0.5),
        seat(C.PREVENTION, R.ASSOCIATE, "directeur", "civil", "dept", 0.6),
    ),
    Body.Type.GLTD: (
        seat(C.SPIP, R.APPOINTED, "conseiller pénitentiaire référent", "state", 3, 0.5),
        seat(C.VICTIM_SUPPORT, R.ASSOCIATE, "juriste", "civil", 3, 0.4),
        seat(C.COMMUNE, R.APPOINTED, "adjoint à la sécurité", "municipal", "place", 0.6),
        seat(C.EDUCATION, R.APPOINTED, "proviseur vie scolaire", "state", 2, 0.5),
        seat(
            C.COMMUNE, R.APPOINTED, "directeur de la tranquillité publique", "staff", "place", 0.6
        ),
        seat(C.PREVENTION, R.ASSOCIATE, "médiateur", "civil", 4, 0.5),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "délégué cohésion police-population", "state", 4, 0.5),
        seat(
            C.SOCIAL_LANDLORD, R.APPOINTED, "chargé de tranquillité résidentielle", "staff", 3, 0.7
        ),
        seat(C.COMMUNE, R.APPOINTED, "conseiller municipal délégué", "municipal", "place", 0.5),
        seat(C.DEPARTMENT_COUNCIL, R.APPOINTED, "travailleur social de secteur", "staff", 6, 0.5),
        seat(C.PARQUET, R.CHAIR, "substitut référent", "justice", 3),
        seat(C.PARQUET, R.SECRETARIAT, "greffier", "staff", "body"),
        seat(C.COMMUNE, R.EX_OFFICIO, "maire", "municipal", "place"),
        seat(C.COMMUNE, R.APPOINTED, "coordonnateur du CLSPD", "coordinator", "place", 0.8),
        seat(C.PREFECTURE, R.APPOINTED, "sous-préfet d’arrondissement", "prefect", 4, 0.5),
        seat(C.NATIONAL_POLICE, R.APPOINTED, "chef de circonscription", "state", "place"),
        seat(C.GENDARMERIE, R.APPOINTED, "commandant de compagnie", "state", 5),
        seat(C.MUNICIPAL_POLICE, R.APPOINTED, "chef de service", "staff", "place", 0.9),
        seat(C.SOCIAL_LANDLORD, R.APPOINTED, "responsable d’agence", "staff", 3, 0.9),
        seat(C.EDUCATION, R.APPOINTED, "principal de collège", "staff", "place", 0.6),
        seat(C.PJJ, R.APPOINTED, "responsable d’unité éducative", "state", 3, 0.7),
        seat(C.PREVENTION, R.ASSOCIATE, "chef de service éducatif", "civil", 3, 0.7),
        seat(C.TRANSPORT, R.APPOINTED, "responsable sûreté", "staff", "dept", 0.3),
    ),
}
# A working group chaired by an elected member of its parent, with some of its members.
WORKING_GROUP_OWN = (
    seat(C.PREVENTION, R.APPOINTED, "éducateur spécialisé", "civil", "body", 0.7),
    seat(C.RESIDENTS, R.ASSOCIATE, "personne qualifiée", "civil", "body", 0.5),
)
CORE_ROLES = (R.CHAIR, R.VICE_CHAIR, R.COORDINATOR, R.SECRETARIAT, R.EX_OFFICIO)
# County bodies' members who are mayors of the largest communes and presidents of the EPCI.
COUNTY_MAYORS, COUNTY_EPCI_PRESIDENTS, CISPD_MAYORS = 4, 2, 8

QUARTERS = (
    "Les Tilleuls", "Le Plateau", "La Gare", "Les Hauts", "Le Val", "Centre ancien",
    "Les Pins", "La Source", "Les Érables", "Le Moulin", "La Roseraie", "Les Coteaux",
)  # fmt: skip


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def shard(code: str, count: int) -> int:
    return zlib.crc32(code.encode()) % count


@dataclasses.dataclass(eq=False)
class Holder:
    """One person's time in a post; the person is written when a seat first needs them."""

    first_name: str
    last_name: str
    has_email: bool
    phone: str
    consent: bool
    start: datetime.date
    end: datetime.date | None
    pk: int = 0


@dataclasses.dataclass(eq=False, slots=True)
class Member:
    """A membership as the meetings need it, with how its holder behaves."""

    pk: int
    person_pk: int
    institution_pk: int
    category: str
    role: str
    started_on: datetime.date
    ended_on: datetime.date | None
    substitute_pk: int | None
    presence: float  # chance of attending a meeting
    stopped_from: datetime.date | None  # stopped coming from this day, still a member
    often_excused: bool
    never_commits: bool  # attends, never commits: purely formal participation

    def current(self, day: datetime.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


@dataclasses.dataclass(frozen=True)
class Filled:
    """A seat of a body as resolved: its institution and post (working groups borrow them)."""

    seat: Seat
    institution_pk: int
    post: tuple


class Staffing:
    """Writes institutions, people, sites, bodies and memberships, one body at a time."""

    def __init__(self, sink, ids, seed: int, today: datetime.date):
        self.sink, self.ids, self.seed, self.today = sink, ids, seed, today
        self.history_start = years_before(today, 10)
        self.institutions: dict[tuple, int] = {}
        self.names: set[tuple[int, str]] = set()
        self.posts: dict[tuple, list[Holder]] = {}
        self.sites: dict[int, list[int]] = {}  # commune pk → site pks
        self.qpv_numbers: dict[str, int] = {}
        self.filled: dict[str, list[Filled]] = {}  # body key → its seats

    # -- institutions ------------------------------------------------------------------

    def institution(self, key, category, name, department_pk, commune_pk=None, siren=""):
        pk = self.institutions.get(key)
        if pk is None:
            if (department_pk, name) in self.names:  # two communes of the same name
                name = f"{name} ({key[1]})"
            self.names.add((department_pk, name))
            pk = self.institutions[key] = self.ids.take(Institution)
            self.sink.add(
                tables.INSTITUTION, (pk, category, name, department_pk, commune_pk, siren)
            )
        return pk

    def county_institution(self, area: Area, category: str, index: int = 0) -> tuple[tuple, int]:
        of = area.of_name
        largest = area.largest
        city = largest.name if largest else area.name
        names = {
            C.PREFECTURE: f"Préfecture {of}",
            C.PARQUET: f"Parquet du tribunal judiciaire {with_de(city)}",
            C.NATIONAL_POLICE: f"Direction interdépartementale de la police nationale {of}",
            C.GENDARMERIE: f"Groupement de gendarmerie départementale {of}",
            C.DEPARTMENT_COUNCIL: f"Conseil départemental {of}",
            C.EDUCATION: f"Direction des services départementaux de l’Éducation nationale {of}",
            C.PJJ: f"Direction territoriale de la protection judiciaire de la jeunesse {of}",
            C.SPIP: f"Service pénitentiaire d’insertion et de probation {of}",
            C.FIRE_SERVICE: f"Service départemental d’incendie et de secours {of}",
            C.TRANSPORT: f"Réseau de transport {with_de(city)} (exploitant fictif)",
            C.VICTIM_SUPPORT: f"Association d’aide aux victimes {of} (fictive)",
            C.HEALTH: f"Centre de soins en addictologie {of} (fictif)",
            C.TENANTS: f"Confédération des locataires {of} (fictive)",
            C.RESIDENTS: f"Habitants et personnes qualifiées {of}",
            C.PRIVATE_SECURITY: f"Sécurité privée {area.name} (société fictive)",
            C.SOCIAL_LANDLORD: vocabulary.LANDLORD_NAMES[index].format(place=area.name),
            C.PREVENTION: vocabulary.PREVENTION_NAMES[index].format(place=area.name),
        }
        key = (category, area.code, index)
        return key, self.institution(key, category, names[category], area.pk)

    def commune_institution(self, place: Place, category: str) -> tuple[tuple, int]:
        label = "Ville" if category == C.COMMUNE else "Police municipale"
        key = (category, place.code)
        name = f"{label} {with_de(place.name)}"
        return key, self.institution(key, category, name, place.department_pk, place.pk)

    def epci_institution(self, area: Area, epci_pk: int) -> tuple[tuple, int]:
        epci = area.epci_by_pk[epci_pk]
        key = (C.EPCI, epci.siren, area.code)
        siren = epci.siren if luhn_ok(epci.siren) else ""
        return key, self.institution(key, C.EPCI, epci.name, area.pk, siren=siren)

    # -- posts and people --------------------------------------------------------------

    def holders(self, post: tuple, kind: str) -> list[Holder]:
        found = self.posts.get(post)
        if found is None:
            found = self.posts[post] = self.draw_holders(post, kind)
        return found

    def draw_holders(self, post: tuple, kind: str) -> list[Holder]:
        rng = random.Random(f"{self.seed}:post:{'|'.join(map(str, post))}")
        start_bound = years_before(self.history_start, 12)
        periods = []
        if kind in ("municipal", "epci", "departmental"):
            changes = {start_bound - datetime.timedelta(days=rng.randint(0, 2000))}
            for day in elections(kind, self.today):
                if start_bound < day <= self.today and rng.random() < 0.2:
                    changes.add(day)
            for year in range(start_bound.year, self.today.year + 1):
                if rng.random() < 0.015:  # resignations, deaths, reshuffles
                    changes.add(datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)))
            changes = sorted(day for day in changes if day <= self.today)
            for index, start in enumerate(changes):
                end = (
                    changes[index + 1] - datetime.timedelta(days=1)
                    if index + 1 < len(changes)
                    else None
                )
                periods.append((start, end))
        else:
            mean_days = int(TENURE_YEARS[kind] * 365)
            start = start_bound - datetime.timedelta(days=rng.randint(0, mean_days))
            while start <= self.today:
                end = start + datetime.timedelta(
                    days=rng.randint(mean_days // 2, mean_days * 3 // 2)
                )
                if end >= self.today:
                    periods.append((start, None))
                    break
                periods.append((start, end))
                vacancy = rng.randint(10, 120) if rng.random() < 0.3 else 0
                start = end + datetime.timedelta(days=1 + vacancy)
        return [
            Holder(
                first_name=rng.choice(vocabulary.FIRST_NAMES),
                last_name=rng.choice(vocabulary.LAST_NAMES),
                has_email=rng.random() < 0.85,
                phone=(
                    f"01 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
                    if rng.random() < 0.55
                    else ""
                ),
                consent=rng.random() < 0.08,
                start=start,
                end=end,
            )
            for start, end in periods
        ]

    def person(self, holder: Holder) -> int:
        if not holder.pk:
            holder.pk = self.ids.take(tables.PERSON.model)
            email = (
                f"{ascii_slug(holder.first_name)}.{ascii_slug(holder.last_name)}."
                f"{holder.pk}@example.org"
                if holder.has_email
                else ""
            )
            self.sink.add(
                tables.PERSON,
                (
                    holder.pk,
                    holder.first_name,
                    holder.last_name,
                    email,
                    holder.phone,
                    None,
                    holder.consent,
                ),
            )
        return holder.pk

    # -- sites -------------------------------------------------------------------------

    def commune_sites(self, rng, place: Place, area: Area) -> list[int]:
        """Priority areas (QPV) of a larger commune, once per commune; illustrative codes
        in the official format."""
        if place.pk in self.sites:
            return self.sites[place.pk]
        count = 0
        if place.population >= 20_000 and rng.random() < 0.85:
            count = 1 + (place.population >= 60_000) + (place.population >= 150_000)
        found = []
        department = area.code.zfill(3)
        for name in rng.sample(QUARTERS, count):
            number = self.qpv_numbers.get(area.code, 0) + 1
            self.qpv_numbers[area.code] = number
            code = f"QN{department}{number % 100:02d}{chr(65 + number // 100)}"
            pk = self.ids.take(tables.SITE.model)
            self.sink.add(
                tables.SITE,
                (
                    pk,
                    "qpv",
                    f"{name} ({place.name})",
                    code,
                    area.pk,
                    "Taux de délinquance, revenu médian, part des jeunes sans diplôme.",
                    datetime.date(2024, 1, 1),
                ),
            )
            self.sink.add(
                tables.SITE_COMMUNE, (self.ids.take(tables.SITE_COMMUNE.model), pk, place.pk)
            )
            found.append(pk)
        self.sites[place.pk] = found
        return found

    # -- bodies and their members ------------------------------------------------------

    def add_body(self, body: BodyPlan) -> None:
        rng = random.Random(f"{self.seed}:members:{body.key}")
        body.pk = self.ids.take(Body)
        probe = Body(type=body.type)
        other_names = ""
        if body.type == Body.Type.CLSPD and rng.random() < 0.2:
            other_names = f"CLSPD de la ville {with_de(body.commune.name)}"
        elif body.type == Body.Type.CDPR:
            other_names = f"CPRAF {body.area.of_name}"
        territory = [t.name for t in (body.commune, body.epci) if t is not None]
        if body.type == Body.Type.CISPD:  # its member communes, as `Body.folded_names`
            members = body.area.members.get(body.epci.pk, [])
            territory += [c.name for c in sorted(members, key=lambda c: c.code)]
        self.sink.add(
            tables.BODY,
            (
                body.pk,
                body.type,
                body.name(),
                other_names,
                body.department_pk,
                body.commune.pk if body.commune else None,
                body.epci.pk if body.epci else None,
                body.parent.pk if body.parent else None,
                body.created_on,
                body.dissolved_on,
                body.problem_statement,
                probe.default_confidentiality,
                body.planned_end_on,
                # what `Body.save()` computes for the directory's search
                folded(" ".join([body.name(), other_names, *territory])),
            ),
        )
        if body.type == Body.Type.CLSPD:
            body.site_pks = self.commune_sites(rng, body.commune, body.area)
        elif body.type == Body.Type.GLTD or body.monitoring_cell:
            parent_sites = body.parent.site_pks
            body.site_pks = [rng.choice(parent_sites)] if parent_sites else []
        for site_pk in body.site_pks:
            self.sink.add(
                tables.BODY_SITE, (self.ids.take(tables.BODY_SITE.model), body.pk, site_pk)
            )
        self.seat_members(rng, body)

    def seats_of(self, rng, body: BodyPlan) -> list[tuple[Seat, Place | None]]:
        """The seats of this body and the place each one is filled from."""
        area = body.area
        if body.type == Body.Type.WORKING_GROUP:
            return []
        if body.type == Body.Type.CISPD:
            members = area.members.get(body.epci.pk, [])
            place = members[0] if members else None
        elif body.commune:
            place = body.commune
        else:
            place = area.largest
        city = place is not None and place.population >= 20_000
        found = []
        for template in SEATS[body.type]:
            # The national police in cities, the gendarmerie elsewhere (and sometimes in
            # the outskirts of a city); a transport operator only in large cities.
            if template.category == C.NATIONAL_POLICE and template.share == "place" and not city:
                continue
            if (
                template.category == C.GENDARMERIE
                and template.share in (5, 8)
                and city
                and rng.random() >= 0.2
            ):
                continue
            if (
                template.category == C.TRANSPORT
                and template.share == "dept"
                and body.commune
                and body.commune.population < 50_000
            ):
                continue
            if template.role == R.COORDINATOR or rng.random() < template.chance:
                found.append((template, place))
        if body.type == Body.Type.CISPD:
            for member in area.members.get(body.epci.pk, [])[:CISPD_MAYORS]:
                found.append((seat(C.COMMUNE, R.EX_OFFICIO, "maire", "municipal", "place"), member))
        if body.type == Body.Type.CDPD:
            for member in sorted(area.communes, key=lambda c: (-c.population, c.code))[
                :COUNTY_MAYORS
            ]:
                found.append((seat(C.COMMUNE, R.APPOINTED, "maire", "municipal", "place"), member))
            largest_epcis = sorted(
                (members[0] for members in area.members.values() if members),
                key=lambda c: (-c.population, c.code),
            )
            for member in largest_epcis[:COUNTY_EPCI_PRESIDENTS]:
                found.append((seat(C.EPCI, R.APPOINTED, "président", "epci", "place"), member))
        return found

    def resolve(self, body: BodyPlan, template: Seat, place: Place | None) -> Filled | None:
        area = body.area
        category = template.category
        if category in (C.COMMUNE, C.MUNICIPAL_POLICE):
            if place is None:
                return None
            key, pk = self.commune_institution(place, category)
        elif category == C.EPCI:
            epci_pk = body.epci.pk if body.epci else (place.epci_pk if place else None)
            if epci_pk is None:
                return None
            key, pk = self.epci_institution(area, epci_pk)
        elif category in (C.SOCIAL_LANDLORD, C.PREVENTION):
            count = 1 + (len(area.communes) > 300) + (len(area.communes) > 600)
            index = shard(place.code, count) if place and template.share != "dept" else 0
            key, pk = self.county_institution(area, category, index)
        else:
            key, pk = self.county_institution(area, category)
        if template.share == "place" and category == C.EPCI:
            where = key[1]  # one president of the EPCI, whichever body they sit in
        elif template.share == "place":
            where = place.code if place else area.code
        elif template.share == "body":
            where = body.key
        elif template.share == "dept":
            where = ""
        else:
            where = f"#{shard(place.code, template.share) + 1}" if place else "#1"
        return Filled(template, pk, (*key, template.post, where))

    def seat_members(self, rng, body: BodyPlan) -> None:
        if body.type == Body.Type.WORKING_GROUP:
            filled = self.working_group_seats(rng, body)
        else:
            filled = [
                self.resolve(body, template, place) for template, place in self.seats_of(rng, body)
            ]
        seen, seats = set(), []
        for item in filled:
            if item and item.post not in seen:
                seen.add(item.post)
                seats.append(item)
        self.filled[body.key] = seats

        by_post: dict[tuple, list[Member]] = {}
        deputy_of: dict[tuple, tuple] = {}
        for item in seats:
            window = self.seat_window(rng, body, item.seat)
            if window is None:
                continue
            behaviour = self.behaviour(rng, body, item.seat)
            # A substitute from the same institution's other seats: the deputy mayor for the
            # mayor, a sub-prefect for the prefect.
            deputies = [
                other.post
                for other in seats
                if other.institution_pk == item.institution_pk and other.post != item.post
            ]
            if (
                deputies
                and item.seat.role not in (R.COORDINATOR, R.SECRETARIAT)
                and rng.random() < 0.5
            ):
                deputy_of[item.post] = rng.choice(deputies)
            by_post[item.post] = [
                Member(
                    pk=self.ids.take(Membership),
                    person_pk=self.person(holder),
                    institution_pk=item.institution_pk,
                    category=item.seat.category,
                    role=item.seat.role,
                    started_on=started_on,
                    ended_on=ended_on,
                    substitute_pk=None,
                    **behaviour,
                )
                for holder, started_on, ended_on in self.terms(item, *window)
            ]
        for post, members in by_post.items():
            deputies = by_post.get(deputy_of.get(post), [])
            for member in members:
                member.substitute_pk = next(
                    (d.person_pk for d in deputies if d.current(member.started_on)), None
                )
                self.sink.add(
                    tables.MEMBERSHIP,
                    (
                        member.pk,
                        member.person_pk,
                        body.pk,
                        member.institution_pk,
                        member.role,
                        member.started_on,
                        member.ended_on,
                        member.substitute_pk,
                    ),
                )
                body.members.append(member)

    def seat_window(self, rng, body: BodyPlan, template: Seat):
        """When the seat exists: the body's life, unless the institution joined later or
        left; None for a coordinator the body never had."""
        start = body.created_on or datetime.date(2005, 1, 1)
        end = body.dissolved_on
        if body.type == Body.Type.GLTD and body.planned_end_on and body.planned_end_on < self.today:
            end = min(end or body.planned_end_on, body.planned_end_on)
        core = template.role in CORE_ROLES
        late_join = years_before(self.today, 1)
        if not core and start < late_join and rng.random() < 0.15:
            start = day_between(rng, start, late_join)
        if template.role == R.COORDINATOR and not body.has_coordinator:
            if rng.random() < 0.5:
                return None  # never had one
            left = day_between(
                rng, years_before(self.today, 3), self.today - datetime.timedelta(days=15)
            )
            end = min(end or left, left)
        elif not core and rng.random() < 0.07:
            first = max(start, self.history_start)
            if first < self.today - datetime.timedelta(days=30):
                left = day_between(rng, first, self.today - datetime.timedelta(days=30))
                end = min(end or left, left)
        return start, end

    def behaviour(self, rng, body: BodyPlan, template: Seat) -> dict:
        """How the seat's holders attend and commit."""
        core = template.role in CORE_ROLES
        presence = PRESENCE[template.role] * CATEGORY_PRESENCE.get(
            (body.type, template.category), 1
        )
        presence = min(0.97, presence * INTEGRATION_PRESENCE[body.integration])
        stopped_from = None
        if not core and rng.random() < 0.06:
            first = max(body.created_on or self.history_start, self.history_start)
            first += datetime.timedelta(days=365)
            if first < self.today - datetime.timedelta(days=60):
                stopped_from = day_between(rng, first, self.today - datetime.timedelta(days=60))
        return {
            "presence": presence,
            "stopped_from": stopped_from,
            "often_excused": not core and rng.random() < 0.08,
            "never_commits": not core and rng.random() < 0.1,
        }

    def terms(self, item: Filled, seat_start, seat_end):
        """The post's holders over the seat's life, within the ten years of history."""
        for holder in self.holders(item.post, item.seat.kind):
            started_on = max(holder.start, seat_start)
            ended_on = holder.end
            if seat_end and (ended_on is None or ended_on > seat_end):
                ended_on = seat_end
            if ended_on and (ended_on < started_on or ended_on < self.history_start):
                continue
            if started_on > self.today:
                continue
            yield holder, started_on, ended_on

    def working_group_seats(self, rng, body: BodyPlan) -> list[Filled]:
        parent_seats = self.filled.get(body.parent.key, [])
        elected = [f for f in parent_seats if f.seat.role in (R.VICE_CHAIR, R.COORDINATOR)]
        others = [
            f for f in parent_seats if f.seat.role not in (R.CHAIR, R.VICE_CHAIR, R.COORDINATOR)
        ]
        chosen = []
        if elected:
            lead = rng.choice(elected)
            chosen.append(
                Filled(dataclasses.replace(lead.seat, role=R.CHAIR), lead.institution_pk, lead.post)
            )
        chosen += rng.sample(others, min(len(others), rng.randint(12, 18)))
        place = body.commune or (
            body.area.members.get(body.epci.pk, [None])[0] if body.epci else None
        )
        for template in WORKING_GROUP_OWN:
            if rng.random() < template.chance:
                chosen.append(self.resolve(body, template, place))
        return chosen


PRESENCE = {
    R.CHAIR: 0.85,
    R.VICE_CHAIR: 0.8,
    R.COORDINATOR: 0.95,
    R.SECRETARIAT: 0.95,
    R.EX_OFFICIO: 0.72,
    R.APPOINTED: 0.74,
    R.ASSOCIATE: 0.62,
}
INTEGRATION_PRESENCE = {1: 0.78, 2: 0.92, 3: 1.05}
# The State's representatives come less to local bodies than to their own.
CATEGORY_PRESENCE = {
    (Body.Type.CLSPD, C.PREFECTURE): 0.7,
    (Body.Type.CLSPD, C.PARQUET): 0.65,
    (Body.Type.CISPD, C.PREFECTURE): 0.7,
    (Body.Type.CISPD, C.PARQUET): 0.65,
}
