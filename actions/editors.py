"""Writing plans and fiches-actions on the registry's own pages: one page per record, its
rows (a plan's objectives; an action's milestones and funding lines) as formsets whose rows
are added without reloading (or, without JavaScript, by the same button), one save, one
transaction.

`PlanEditor` and `ActionEditor` gather the record's form and its rows' formsets over choice
lists fetched once; `save()` writes the record, then its rows in bulk (deleted, updated,
created): the queries do not grow with the rows, but for deletions, each of which writes its
history row (asserted in tests/actions/test_editors.py). The record's version (django-
concurrency) covers its rows: a save made over a stale page raises `EditConflict`, and
nothing is written.
"""

import datetime

from concurrency.exceptions import RecordModifiedError
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from bodies.access import reference_sites, visible_institutions
from bodies.fields import rows_formset

from .forms import (
    ActionForm,
    FundingLineForm,
    IndicatorForm,
    MilestoneForm,
    ObjectiveForm,
    PlanForm,
)
from .models import Action, ActionPlan, FundingLine, Indicator, Milestone, Objective

EXTRA_ROWS = {"objectives": 2, "milestones": 2, "funding": 2}


class EditConflict(Exception):
    """Someone else saved the record since its page was opened."""


class RowFormSet(BaseFormSet):
    """Rows pre-filled from `initial` when the page is shown, all submitted as new rows: a
    row left blank is skipped, a filled one validated. A record's id may stand on one row
    only, and `unique_together` values once among the rows (a funder once a year)."""

    unique_together: tuple[str, ...] = ()
    unique_message = ""

    def initial_form_count(self):
        return super().initial_form_count() if self.is_bound else 0

    def clean(self):
        super().clean()
        if self.management_form.cleaned_data.get("TOTAL_FORMS", 0) < 0:
            # A crafted count: saving none of the rows would drop every edit in silence.
            raise ValidationError(
                _("Le nombre de lignes envoyé est illisible : rechargez la page."),
                code="bad_row_count",
            )
        ids, keys = set(), set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue
            pk = data.get("id")
            if pk is not None:
                if pk in ids:
                    form.add_error(
                        form.required_fields[0],
                        _("Cette ligne figure deux fois : gardez-en une seule."),
                    )
                ids.add(pk)
            if self.unique_together and not data.get("remove"):
                key = tuple(data.get(name) for name in self.unique_together)
                if all(value not in (None, "") for value in key):
                    if key in keys:
                        form.add_error(self.unique_together[0], self.unique_message)
                    keys.add(key)


def row_formset(form, unique_together=(), unique_message=""):
    formset = formset_factory(form, formset=RowFormSet, extra=0)
    formset.unique_together, formset.unique_message = unique_together, unique_message
    return formset


ObjectiveFormSet = row_formset(ObjectiveForm)
MilestoneFormSet = row_formset(MilestoneForm)
FundingFormSet = row_formset(
    FundingLineForm,
    unique_together=("source", "year"),
    unique_message=next(
        c.violation_error_message
        for c in FundingLine._meta.constraints
        if c.name == "actions_funding_once_per_source_year"
    ),
)


def save_rows(model, existing: dict, rows: list, fields: list, build, user, unique=()) -> None:
    """Rows standing for records of one parent (`existing`, by id): delete the emptied ones,
    update the changed ones, create the new ones — in that order, so that a new row may take
    the place (a funder's year) of a removed one. A record whose `unique` values change (two
    funders' years swapped) is removed and written anew: updated in place, one of the pair
    would meet the other's old values halfway through the update."""
    new, changed, removed = [], [], []
    for row in rows:
        record = existing.get(row.get("id"))
        if row.get("remove"):
            if record is not None:
                removed.append(record.pk)
            continue
        values = {name: row[name] for name in fields}
        if record is not None and any(getattr(record, name) != values[name] for name in unique):
            removed.append(record.pk)
            record = None
        if record is None:
            new.append(build(values))
        elif any(getattr(record, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(record, name, value)
            changed.append(record)
    if removed:
        model.objects.filter(pk__in=removed).delete()
    if changed:
        bulk_update_with_history(changed, model, fields, default_user=user)
    if new:
        bulk_create_with_history(new, model, default_user=user)


class Editor:
    """A record's form and its rows' formsets; `add_rows` asks for blank rows (the
    « ajouter » buttons without JavaScript)."""

    prefixes: tuple[str, ...] = ()

    def __init__(self, data=None, add_rows=None):
        self.data = data
        self.add_rows = add_rows or {}
        self.conflict = False

    def _formset(self, cls, prefix, initial=(), **form_kwargs):
        return rows_formset(
            cls,
            prefix,
            self.data,
            initial,
            extra=EXTRA_ROWS.get(prefix, 0),
            added=self.add_rows.get(prefix, 0),
            **form_kwargs,
        )

    @property
    def formsets(self) -> list:
        return []

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.formsets:
            valid = formset.is_valid() and valid
        return valid

    @staticmethod
    def rows(formset) -> list[dict]:
        return [form.cleaned_data for form in formset if form.cleaned_data]

    def save(self, user):
        """Write everything or nothing; EditConflict when the record changed meanwhile."""
        instance = self.form.instance
        try:
            with transaction.atomic():
                if instance.pk is not None and not (
                    type(instance).objects.filter(pk=instance.pk).exists()
                ):
                    # Removed meanwhile (by an administrator): saving would write it again.
                    raise EditConflict
                record = self.form.save()
                self.save_rows(record, user)
        except RecordModifiedError as error:
            raise EditConflict from error
        return record

    def save_rows(self, record, user) -> None:
        pass


class PlanEditor(Editor):
    """A plan and its objectives (ordered by the numbers typed, then as listed)."""

    prefixes = ("objectives",)

    def __init__(self, *, body, plan=None, data=None, add_rows=None):
        super().__init__(data, add_rows)
        self.body = body
        self.editing = plan is not None
        self.plan = plan or ActionPlan(body=body)
        objectives = list(self.plan.objectives.all()) if self.editing else []
        self.recorded_objectives = {o.pk: o for o in objectives}
        self.form = PlanForm(data, instance=self.plan, body=body)
        self.objectives = self._formset(
            ObjectiveFormSet,
            "objectives",
            [
                {
                    "id": o.pk,
                    "position": o.position,
                    "title": o.title,
                    "national_axis": o.national_axis,
                }
                for o in objectives
            ],
        )

    @property
    def formsets(self):
        return [self.objectives]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        removed = {
            form.cleaned_data["id"]
            for form in self.objectives
            if form.cleaned_data.get("remove")
            and form.cleaned_data["id"] in self.recorded_objectives
        }
        if removed:
            filed = set(
                Action.objects.filter(objective__in=removed).values_list("objective_id", flat=True)
            )
            for form in self.objectives:
                if form.cleaned_data.get("remove") and form.cleaned_data["id"] in filed:
                    form.add_error(
                        "title",
                        _(
                            "Des fiches-actions relèvent de cet objectif : rattachez-les à un "
                            "autre objectif avant de le retirer."
                        ),
                    )
                    valid = False
        return valid

    def save_rows(self, plan, user):
        rows = self.rows(self.objectives)
        kept = [row for row in rows if not row.get("remove")]
        order = sorted(range(len(kept)), key=lambda i: (kept[i].get("position") or 10_000, i))
        for position, i in enumerate(order, start=1):
            kept[i]["position"] = position
        save_rows(
            Objective,
            self.recorded_objectives,
            rows,
            ["position", "title", "national_axis"],
            lambda values: Objective(plan=plan, **values),
            user,
        )


class ActionEditor(Editor):
    """A fiche-action, its milestones and its funding lines."""

    prefixes = ("milestones", "funding")

    def __init__(self, *, plan, access, action=None, data=None, add_rows=None):
        super().__init__(data, add_rows)
        self.plan = plan
        self.editing = action is not None
        self.action = action or Action(plan=plan)
        department = plan.body.department_id
        self.form = ActionForm(
            data,
            instance=self.action,
            plan=plan,
            institutions=visible_institutions(access).filter(department_id=department),
            sites=reference_sites(access).filter(department_id=department),
        )
        milestones = list(self.action.milestones.all()) if self.editing else []
        lines = list(self.action.funding_lines.all()) if self.editing else []
        self.recorded_milestones = {m.pk: m for m in milestones}
        self.recorded_lines = {line.pk: line for line in lines}
        self.milestones = self._formset(
            MilestoneFormSet,
            "milestones",
            [
                {"id": m.pk, "title": m.title, "target_on": m.target_on, "reached_on": m.reached_on}
                for m in milestones
            ],
        )
        self.funding = self._formset(
            FundingFormSet,
            "funding",
            [
                {"id": line.pk, "source": line.source, "year": line.year, "amount": line.amount}
                for line in lines
            ],
        )

    @property
    def formsets(self):
        return [self.milestones, self.funding]

    def save_rows(self, action, user):
        save_rows(
            Milestone,
            self.recorded_milestones,
            self.rows(self.milestones),
            ["title", "target_on", "reached_on"],
            lambda values: Milestone(action=action, **values),
            user,
        )
        save_rows(
            FundingLine,
            self.recorded_lines,
            self.rows(self.funding),
            ["source", "year", "amount"],
            lambda values: FundingLine(action=action, **values),
            user,
            unique=("source", "year"),
        )


class IndicatorEditor(Editor):
    """An indicator of a plan. One the SSMSI import created has no baseline nor target: its
    page proposes, as the baseline, the last value measured before the plan began (or the
    first one), and the plan's last year as the target's date, for the user to check."""

    def __init__(self, *, plan, access, indicator=None, data=None, add_rows=None, action=None):
        super().__init__(data, add_rows)
        self.plan = plan
        self.editing = indicator is not None
        self.indicator = indicator or Indicator(plan=plan, action=action)
        self.suggested_baseline = None
        initial = {}
        if data is None and self.editing and self.indicator.baseline_value is None:
            self.suggested_baseline = self._baseline(plan)
            if self.suggested_baseline is not None:
                initial["baseline_value"] = self.suggested_baseline.value
                initial["baseline_on"] = self.suggested_baseline.period_start
        if data is None and self.indicator.target_on is None and plan.ends_on:
            target_on = datetime.date(plan.ends_on.year, 1, 1)
            if "baseline_on" not in initial or target_on > initial["baseline_on"]:
                initial["target_on"] = target_on
        if action is not None:
            initial["action"] = action.pk
        self.form = IndicatorForm(
            data,
            instance=self.indicator,
            initial=initial,
            plan=plan,
            communes=plan.body.covered_communes(),
            sites=reference_sites(access).filter(department_id=plan.body.department_id),
        )

    def _baseline(self, plan):
        measured = list(self.indicator.measurements.exclude(value=None).order_by("period_start"))
        before = [m for m in measured if m.period_start < plan.starts_on]
        if before:
            return before[-1]
        return measured[0] if measured else None
