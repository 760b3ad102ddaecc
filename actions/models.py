"""Action plans: from a shared diagnostic to actions, funding, milestones and measured results.

A plan (typically a three-year STSPD) belongs to a body, starts from a diagnostic, sets
objectives (optionally tagged with an axis of the national strategy, so county and local plans
can be compared), and lists actions (« fiches-actions ») with a lead institution, partners,
sites, a schedule of milestones, funding lines and indicators agreed in advance. Indicators
are measured per period; progress is computed from those rows, never typed
(`actions/progress.py`, domain guide §5).

Who reads what: a plan has a confidentiality level like a meeting (public by default, except
for case-level bodies); its diagnostic has its own, never less strict; its actions, milestones,
funding and indicators are read with the plan. A draft plan is not published: only those who
write it (coordinators, administrators) and the prefecture staff of its département read it.
"""

import datetime
from decimal import Decimal

from concurrency.fields import AutoIncVersionField
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bodies import rules
from bodies.models import Body, Commune, Confidentiality, Institution, Site

from . import periods


class Axis(models.TextChoices):
    """The four axes of the national strategy for crime prevention (SNPD 2020–2024)."""

    YOUTH = "youth", _("Axe 1 — Les jeunes : agir plus tôt et aller plus loin dans la prévention")
    VULNERABLE = (
        "vulnerable",
        _("Axe 2 — Aller vers les personnes vulnérables pour mieux les protéger"),
    )
    POPULATION = (
        "population",
        _("Axe 3 — La population, nouvel acteur de la prévention de la délinquance"),
    )
    TERRITORY = "territory", _("Axe 4 — Le territoire : vers une gouvernance rénovée et efficace")


class ActionPlanQuerySet(models.QuerySet):
    def readable_by(self, access):
        """Plans `access` may read: by level (`readable_q`; the body's current members read
        its plans whatever their level), drafts only for their writers and the prefecture
        staff of their département."""
        if rules.is_administrator(access):
            return self
        published = ~Q(status=ActionPlan.Status.DRAFT)
        # The current members of a case-level body are the named readers of its plans.
        level = rules.readable_q(access) | rules.members_q(access)
        return self.filter(level & (published | rules.staff_scope_q(access)))

    def editable_by(self, access):
        """Plans of the bodies `access` coordinates."""
        return self.filter(rules.coordinated_q(access))


class ActionPlan(models.Model):
    class Kind(models.TextChoices):
        STSPD = "stspd", _("Stratégie territoriale de sécurité et de prévention (STSPD)")
        CLS = "cls", _("Contrat local de sécurité (CLS)")
        DEPARTMENTAL = "departmental", _("Plan départemental de prévention de la délinquance")
        OTHER = "other", _("Autre plan")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        ADOPTED = "adopted", _("Adopté")
        CLOSED = "closed", _("Clos")

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="plans", verbose_name=_("instance")
    )
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices, default=Kind.STSPD)
    title = models.CharField(_("intitulé"), max_length=250)
    starts_on = models.DateField(_("début de la période"))
    ends_on = models.DateField(_("fin de la période"))
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    adopted_on = models.DateField(_("adopté le"), null=True, blank=True)
    confidentiality = models.CharField(
        _("confidentialité du plan"),
        max_length=10,
        choices=Confidentiality.choices,
        blank=True,
        help_text=_("Par défaut : public, sauf pour les instances traitant de situations."),
    )
    diagnostic = models.TextField(
        _("diagnostic"),
        blank=True,
        help_text=_(
            "Diagnostic partagé : délinquance, incivilités, tranquillité publique, sentiment "
            "d’insécurité, réponses existantes, attentes des habitants. Pas de situations "
            "individuelles."
        ),
    )
    diagnostic_confidentiality = models.CharField(
        _("confidentialité du diagnostic"),
        max_length=10,
        choices=Confidentiality.choices,
        default=Confidentiality.PARTNERS,
        help_text=_("Jamais moins stricte que celle du plan."),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    # Optimistic locking of the plan's page (objectives included): a stale save is refused.
    version = AutoIncVersionField(_("version"))

    MAX_YEARS = 10  # calendar years a plan's period touches, at most

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])
    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan d’action")
        verbose_name_plural = _("plans d’action")
        ordering = ["-starts_on", "title"]
        indexes = [models.Index(fields=["body", "status"], name="actions_plan_body_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="actions_plan_ends_after_start",
                violation_error_message=_("La fin de la période précède son début."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(adopted_on__isnull=False),
                name="actions_plan_adopted_has_date",
                violation_error_message=_("Un plan adopté ou clos a une date d’adoption."),
            ),
            # Pages build a date per year and per month of the period: years the registry
            # cannot write (0, 9999) crashed them. The ten-year bound is `clean()`'s: a date
            # difference needs a function SQLite's constraints cannot call.
            models.CheckConstraint(
                condition=Q(starts_on__gte=datetime.date(periods.MIN_YEAR, 1, 1))
                & Q(ends_on__lte=datetime.date(periods.MAX_YEAR, 12, 31)),
                name="actions_plan_period_within_registry_years",
                violation_error_message=_("La période d’un plan se situe entre 1990 et 2100."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.confidentiality:
            self.confidentiality = self.body.default_confidentiality
        # A diagnostic is never more public than its plan.
        self.diagnostic_confidentiality = Confidentiality.stricter(
            self.diagnostic_confidentiality, self.confidentiality
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:plan-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                errors["ends_on"] = _("La fin de la période précède son début.")
            elif not (
                self.starts_on.year >= periods.MIN_YEAR and self.ends_on.year <= periods.MAX_YEAR
            ):
                errors["starts_on"] = _("La période d’un plan se situe entre 1990 et 2100.")
            elif self.ends_on.year - self.starts_on.year >= self.MAX_YEARS:
                errors["ends_on"] = _("Un plan couvre dix ans au plus.")
        if self.status != self.Status.DRAFT and not self.adopted_on:
            errors["adopted_on"] = _("Indiquez la date d’adoption du plan.")
        if self.status == self.Status.DRAFT and self.adopted_on:
            errors["status"] = _("Un plan qui a une date d’adoption n’est plus en préparation.")
        if errors:
            raise ValidationError(errors)

    def period_label(self) -> str:
        return f"{self.starts_on.year}–{self.ends_on.year}"


class Objective(models.Model):
    """An objective (or priority axis) of a plan, optionally tagged with a national axis."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan")
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=1)
    title = models.CharField(_("objectif"), max_length=250)
    national_axis = models.CharField(
        _("axe de la stratégie nationale"), max_length=10, choices=Axis.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["plan", "position", "pk"]

    def __str__(self):
        return self.title


class Action(models.Model):
    """A « fiche-action »."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        IN_PROGRESS = "in_progress", _("En cours")
        DONE = "done", _("Réalisée")
        ABANDONED = "abandoned", _("Abandonnée")

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.PROTECT, related_name="actions", verbose_name=_("plan")
    )
    objective = models.ForeignKey(
        Objective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("objectif"),
    )
    title = models.CharField(_("intitulé"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    lead_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="led_actions",
        verbose_name=_("pilote"),
    )
    partners = models.ManyToManyField(
        Institution, blank=True, related_name="partner_actions", verbose_name=_("partenaires")
    )
    sites = models.ManyToManyField(
        Site, blank=True, related_name="actions", verbose_name=_("quartiers et sites")
    )
    target_public = models.CharField(_("public visé"), max_length=250, blank=True)
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    budget = models.DecimalField(
        _("budget (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    # Optimistic locking of the action's page (milestones and funding lines included).
    version = AutoIncVersionField(_("version"))

    history = HistoricalRecords(m2m_fields=[partners, sites], excluded_fields=["version"])

    class Meta:
        verbose_name = _("fiche-action")
        verbose_name_plural = _("fiches-actions")
        ordering = ["plan", "objective__position", "pk"]
        indexes = [models.Index(fields=["plan", "status"], name="actions_action_plan_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="actions_action_ends_after_start",
                violation_error_message=_("La fin de l’action précède son début."),
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="actions_action_budget_not_negative",
                violation_error_message=_("Le budget ne peut pas être négatif."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actions:action-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.objective_id and self.plan_id and self.objective.plan_id != self.plan_id:
            errors["objective"] = _("Cet objectif appartient à un autre plan.")
        if self.pk and self.plan_id:
            saved_plan = Action.objects.filter(pk=self.pk).values_list("plan_id", flat=True)
            if saved_plan.first() not in (None, self.plan_id):
                # its indicators, commitments and history belong to the plan it was written in
                errors["plan"] = _(
                    "Une fiche-action reste dans son plan : créez-en une dans l’autre plan."
                )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("La fin de l’action précède son début.")
        if errors:
            raise ValidationError(errors)


class FundingLine(models.Model):
    class Source(models.TextChoices):
        FIPD = "fipd", _("FIPD (fonds interministériel de prévention de la délinquance)")
        CITY_CONTRACT = "city_contract", _("Contrat de ville")
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("Intercommunalité (EPCI)")
        DEPARTMENT = "department", _("Conseil départemental")
        STATE_OTHER = "state_other", _("État (autres crédits)")
        OTHER = "other", _("Autre")

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="funding_lines", verbose_name=_("action")
    )
    source = models.CharField(_("financeur"), max_length=14, choices=Source.choices)
    year = models.PositiveSmallIntegerField(
        _("année"),
        validators=[MinValueValidator(periods.MIN_YEAR), MaxValueValidator(periods.MAX_YEAR)],
    )
    amount = models.DecimalField(
        _("montant (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ligne de financement")
        verbose_name_plural = _("financements")
        ordering = ["action", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "source", "year"],
                name="actions_funding_once_per_source_year",
                violation_error_message=_(
                    "Ce financeur figure déjà pour cette année : additionnez les montants."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="actions_funding_amount_not_negative",
                violation_error_message=_("Un montant ne peut pas être négatif."),
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.year} : {self.amount} €"


class Milestone(models.Model):
    """An interim benchmark of an action: a target date, and the date it was reached."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("action")
    )
    title = models.CharField(_("étape"), max_length=250)
    target_on = models.DateField(_("date visée"))
    reached_on = models.DateField(_("atteinte le"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["action", "target_on", "pk"]

    def __str__(self):
        return self.title

    def is_late(self, on: datetime.date) -> bool:
        return self.reached_on is None and self.target_on < on


class Indicator(models.Model):
    """An indicator agreed in advance, attached to a plan and optionally to one of its
    actions, measured per period (`Measurement`)."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("À la hausse (plus haut, c’est mieux)")
        LOWER = "lower", _("À la baisse (plus bas, c’est mieux)")

    class Frequency(models.TextChoices):
        YEARLY = periods.YEARLY, _("Annuelle")
        QUARTERLY = periods.QUARTERLY, _("Trimestrielle")
        MONTHLY = periods.MONTHLY, _("Mensuelle")

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("plan")
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("action"),
        help_text=_("Vide pour un indicateur du plan tout entier."),
    )
    name = models.CharField(_("intitulé"), max_length=250)
    unit = models.CharField(_("unité"), max_length=40, help_text=_("Par exemple : faits, %, ‰."))
    direction = models.CharField(
        _("sens souhaité"), max_length=6, choices=Direction.choices, default=Direction.LOWER
    )
    baseline_value = models.DecimalField(
        _("valeur de référence"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    baseline_on = models.DateField(_("date de référence"), null=True, blank=True)
    target_value = models.DecimalField(
        _("cible"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    target_on = models.DateField(_("échéance de la cible"), null=True, blank=True)
    frequency = models.CharField(
        _("fréquence"), max_length=9, choices=Frequency.choices, default=Frequency.YEARLY
    )
    is_count = models.BooleanField(
        _("dénombrement"),
        default=True,
        help_text=_(
            "Un nombre de faits, de personnes, de halls… : jamais négatif. Décochez pour un "
            "taux d’évolution, un solde ou un écart, qui peuvent l’être."
        ),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    ssmsi_indicator = models.CharField(
        _("indicateur SSMSI suivi"),
        max_length=120,
        blank=True,
        help_text=_("Libellé exact de la base communale du SSMSI, pour l’import des chiffres."),
    )
    ssmsi_rate = models.BooleanField(
        _("taux pour mille (SSMSI)"),
        default=False,
        help_text=_("Importer le taux pour mille habitants plutôt que le nombre de faits."),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("quartier ou site"),
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("commune"),
    )
    version = AutoIncVersionField(_("version"))  # optimistic locking of the indicator's page

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["plan", "action", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_on__isnull=True)
                | Q(target_on__isnull=True)
                | Q(target_on__gt=F("baseline_on")),
                name="actions_indicator_target_after_baseline",
                violation_error_message=_("L’échéance de la cible suit la date de référence."),
            ),
            models.UniqueConstraint(
                fields=["plan", "commune", "ssmsi_indicator", "ssmsi_rate"],
                condition=~Q(ssmsi_indicator=""),
                name="actions_indicator_one_per_ssmsi_series",
                violation_error_message=_(
                    "Un indicateur du plan suit déjà cette série du SSMSI pour cette commune."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        if self.action_id:
            return reverse("actions:action-detail", args=[self.action_id])
        return reverse("actions:plan-detail", args=[self.plan_id])

    def clean(self):
        errors = {}
        if self.action_id and self.plan_id and self.action.plan_id != self.plan_id:
            errors["action"] = _("Cette action appartient à un autre plan.")
        if (self.baseline_value is None) != (self.baseline_on is None):
            errors["baseline_on"] = _("Une valeur de référence a une date, et inversement.")
        if (self.target_value is None) != (self.target_on is None):
            errors["target_on"] = _("Une cible a une échéance, et inversement.")
        if self.baseline_on and self.target_on and self.target_on <= self.baseline_on:
            errors["target_on"] = _("L’échéance de la cible suit la date de référence.")
        if self.baseline_value is not None and self.target_value is not None:
            wrong_way = (
                self.target_value < self.baseline_value
                if self.direction == self.Direction.HIGHER
                else self.target_value > self.baseline_value
            )
            if wrong_way:
                errors["target_value"] = _(
                    "La cible va dans le mauvais sens : l’indicateur doit aller %(direction)s."
                ) % {
                    "direction": _("à la hausse")
                    if self.direction == self.Direction.HIGHER
                    else _("à la baisse")
                }
        for name in ("baseline_value", "target_value"):
            if message := self.value_error(getattr(self, name)):
                errors[name] = message
        if self.ssmsi_indicator and self.frequency != self.Frequency.YEARLY:
            errors["frequency"] = _("Les chiffres du SSMSI sont annuels.")
        if self.pk and self.frequency:
            saved = Indicator.objects.filter(pk=self.pk).values_list("frequency", flat=True)
            if saved.first() not in (None, self.frequency) and self.measurements.exists():
                errors["frequency"] = _(
                    "Cet indicateur a déjà des mesures : sa fréquence ne peut plus changer."
                )
        if errors:
            raise ValidationError(errors)

    def period_label(self, start: datetime.date) -> str:
        return periods.label(self.frequency, start)

    def value_error(self, value) -> str:
        """Why `value` cannot be measured for this indicator ("" when it can)."""
        if value is not None and self.is_count and value < 0:
            return _("Un dénombrement (%(unit)s) n’est jamais négatif.") % {"unit": self.unit}
        return ""


class Measurement(models.Model):
    """One value of an indicator for one period. A missing value (for instance a count the
    SSMSI does not publish because it is small) is stored as empty, never as zero."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicateur"),
    )
    period_start = models.DateField(_("période"), help_text=_("Premier jour de la période."))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=3, null=True, blank=True)
    source_note = models.CharField(_("source / note"), max_length=250, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )
    entered_at = models.DateTimeField(_("saisie le"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["entered_at"])

    class Meta:
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start"],
                name="actions_measurement_once_per_period",
                violation_error_message=_("Cet indicateur a déjà une valeur pour cette période."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} — {self.period_label}"

    @property
    def period_label(self) -> str:
        return periods.label(self.indicator.frequency, self.period_start)

    def clean(self):
        errors = {}
        if self.indicator_id and self.period_start:
            expected = periods.period_start(self.indicator.frequency, self.period_start)
            if expected != self.period_start:
                errors["period_start"] = _("Cette date n’ouvre pas une période de l’indicateur.")
        if self.indicator_id and self.indicator.value_error(self.value):
            errors["value"] = self.indicator.value_error(self.value)
        if errors:
            raise ValidationError(errors)
