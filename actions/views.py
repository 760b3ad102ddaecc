"""Plan and action pages, for every reader allowed (404 otherwise); the measurement grid
and the imports, for those who write the plan. The action page lists the commitments made in
meetings to serve the action: it is assembled in `partnerships.views` from `action_context`."""

from urllib.parse import parse_qsl

from concurrency.exceptions import RecordModifiedError
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from bodies.access import access_for, can_manage_plans, can_read_body_text
from bodies.fields import signed_version
from bodies.models import Body
from bodies.validators import is_whole_number

from . import grid as measurement_grid
from . import periods, ssmsi
from .charts import indicator_chart
from .editors import ActionEditor, EditConflict, IndicatorEditor, PlanEditor
from .forms import AdoptionForm, SsmsiConfirmForm, SsmsiUploadForm
from .models import Action, ActionPlan, Indicator
from .progress import (
    action_progress,
    funding_by_source,
    indicator_progress,
    measurements_prefetch,
    plan_rows,
)


def readable_plans(request):
    return ActionPlan.objects.readable_by(access_for(request.user))


def _with_charts(indicators):
    return [(indicator, indicator_chart(indicator, indicator.progress)) for indicator in indicators]


def plan_detail(request, pk):
    """A plan: diagnostic (at its level), objectives and their actions with progress, its
    indicators with charts and tables, funding by source. Seven queries whatever its size."""
    on = timezone.localdate()
    plans = plan_rows(readable_plans(request).filter(pk=pk), on)
    if not plans:
        raise Http404
    plan = plans[0]
    access = access_for(request.user)
    actions = list(plan.actions.all())
    objectives = [
        (objective, [a for a in actions if a.objective_id == objective.pk])
        for objective in plan.objectives.all()
    ]
    unfiled = [a for a in actions if a.objective_id is None]
    indicators = list(plan.indicators.all())
    context = {
        "plan": plan,
        "body": plan.body,
        "progress": plan.progress,
        "objectives": objectives,
        "unfiled_actions": unfiled,
        "plan_indicators": _with_charts(i for i in indicators if i.action_id is None),
        "action_indicators": [i for i in indicators if i.action_id is not None],
        "show_diagnostic": can_read_body_text(access, plan.body, plan.diagnostic_confidentiality),
        "can_manage": can_manage_plans(access, plan.body),
        "can_edit": can_manage_plans(access, plan.body) and plan.status != plan.Status.CLOSED,
        # Indicators that cannot be assessed yet: those the SSMSI import created, typically.
        "incomplete_indicators": [
            i for i in indicators if i.baseline_value is None or i.target_value is None
        ],
    }
    return render(request, "actions/plan_detail.html", context)


def action_context(request, pk) -> dict:
    """What the action page shows from this app: who leads the action with whom, where,
    when; its milestones, funding and indicators with their charts."""
    on = timezone.localdate()
    access = access_for(request.user)
    action = get_object_or_404(
        Action.objects.filter(plan__in=readable_plans(request))
        .select_related("plan__body", "lead_institution", "objective")
        .prefetch_related("partners", "sites", "milestones", "funding_lines"),
        pk=pk,
    )
    indicators = list(
        action.indicators.select_related("commune", "site").prefetch_related(
            measurements_prefetch()
        )
    )
    for indicator in indicators:
        indicator.progress = indicator_progress(indicator, on)
    funding, total = funding_by_source(action.funding_lines.all())
    years = sorted({line.year for line in action.funding_lines.all()})
    return {
        "access": access,
        "action": action,
        "plan": action.plan,
        "body": action.plan.body,
        "progress": action_progress(action, on),
        "milestones": action.milestones.all(),
        "funding_lines": action.funding_lines.all(),
        "funding_by_source": funding,
        "funding_total": total,
        "funding_years": years,
        "indicators": _with_charts(indicators),
        "today": on,
        "can_manage": can_manage_plans(access, action.plan.body),
        "can_edit": can_manage_plans(access, action.plan.body)
        and action.plan.status != ActionPlan.Status.CLOSED,
    }


WRITERS_ONLY = gettext_lazy("Seuls les coordonnateurs de l’instance écrivent ses plans d’action.")


def _plan_for_writing(request, pk):
    """(plan, None) for those who write it; a login redirect for anonymous readers; 404 when
    the plan is not readable, 403 when it is but the reader does not write it."""
    access = access_for(request.user)
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    plan = get_object_or_404(
        ActionPlan.objects.readable_by(access).select_related("body__department"), pk=pk
    )
    if not can_manage_plans(access, plan.body):
        raise PermissionDenied(WRITERS_ONLY)
    return plan, None


def _year(request, plan) -> int:
    """The year asked for, if the grid offers it (the plan's years and the one before, within
    the registry's years); the default year otherwise."""
    default = measurement_grid.default_year(plan, timezone.localdate())
    text = (request.POST or request.GET).get("year", "")
    first = max(plan.starts_on.year - 1, periods.MIN_YEAR)
    last = min(plan.ends_on.year, periods.MAX_YEAR)
    if is_whole_number(text) and first <= int(text) <= last:
        return int(text)
    return default


@csrf_exempt  # checked below, once the form is read (the middleware would read it first)
def plan_measurements(request, pk):
    """The measurement grid: every indicator of the plan × periods, saved at once.

    The grid posts two fields per cell: a plan with some forty monthly indicators posts more
    than Django's DATA_UPLOAD_MAX_NUMBER_FIELDS, which answered 400 before this view could
    keep what was typed. This view reads its form itself, with a limit sized to the plan's
    grid (`grid.posted_field_limit`), then checks the CSRF token as the middleware would."""
    plan, refusal = _plan_for_writing(request, pk)
    if refusal:
        return refusal
    too_many = False
    if request.method == "POST":
        request.POST, too_many = _grid_form(request, measurement_grid.posted_field_limit(plan))
    return _grid_page(request, plan, too_many)


def _grid_form(request, limit: int) -> tuple[QueryDict, bool]:
    """The posted form, read up to `limit` fields (the body's size is bounded by Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE), and whether there were more. A form the page did not
    send urlencoded (a script's multipart post) is read by Django, with its own limits."""
    if request.content_type != "application/x-www-form-urlencoded":
        return request.POST, False
    pairs = request.body.split(b"&", limit)
    too_many = len(pairs) > limit
    form = QueryDict(mutable=True)
    for key, value in parse_qsl(
        b"&".join(pairs[:limit]).decode("utf-8", "replace"), keep_blank_values=True
    ):
        form.appendlist(key, value)
    form._mutable = False
    return form, too_many


@csrf_protect
def _grid_page(request, plan, too_many: bool):
    year = _year(request, plan)
    status = 200
    if request.method == "POST" and too_many:
        # Not a form this page sent: nothing is saved, what it held comes back.
        grid = measurement_grid.MeasurementGrid(plan, year, request.POST)
        grid.errors.append(
            _(
                "Rien n’a été enregistré : le formulaire envoyé compte plus de champs que la "
                "grille de ce plan. Voici votre saisie : vérifiez-la et enregistrez de nouveau."
            )
        )
        messages.error(request, grid.errors[0])
        status = 400
    elif request.method == "POST":
        try:
            with transaction.atomic():
                grid = measurement_grid.MeasurementGrid(plan, year, request.POST, lock=True)
                if grid.is_valid():
                    counts = grid.save(request.user)
                    messages.success(
                        request,
                        _(
                            "Mesures enregistrées : %(created)s ajoutée(s), %(updated)s "
                            "modifiée(s), %(removed)s retirée(s)."
                        )
                        % counts,
                    )
                    return redirect(f"{request.path}?year={year}")
        except IntegrityError:  # a value entered elsewhere for an empty cell, meanwhile
            grid = measurement_grid.MeasurementGrid(plan, year)
            grid.conflict = True
            grid.errors.append(
                _(
                    "Rien n’a été enregistré : des valeurs ont été saisies par ailleurs pendant "
                    "votre saisie. Les voici ; reprenez vos modifications."
                )
            )
        status = 409 if grid.conflict else 200
        messages.error(request, grid.errors[0])
    else:
        grid = measurement_grid.MeasurementGrid(plan, year)
    years = range(plan.starts_on.year - 1, plan.ends_on.year + 1)
    context = {"plan": plan, "body": plan.body, "grid": grid, "year": year, "years": years}
    return render(request, "actions/measurement_grid.html", context, status=status)


def plan_ssmsi(request, pk):
    """Recorded crime from the SSMSI's communal base: upload the file and choose a commune
    (preview of every indicator found), then choose indicators — they become yearly
    measurements, all or nothing."""
    plan, refusal = _plan_for_writing(request, pk)
    if refusal:
        return refusal
    communes = plan.body.covered_communes().order_by("name")
    context = {"plan": plan, "body": plan.body}
    if request.method == "POST" and "token" in request.POST:
        return _ssmsi_import(request, plan, communes, context)
    form = SsmsiUploadForm(request.POST or None, request.FILES or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        commune = form.cleaned_data["commune"]
        try:
            series = ssmsi.read_commune(form.cleaned_data["file"], commune.insee_code)
        except ssmsi.SsmsiError as error:
            form.add_error("file", str(error))
        else:
            if not series:
                form.add_error(
                    "file",
                    _("Aucune ligne pour %(name)s (code %(code)s) dans ce fichier.")
                    % {"name": commune.name, "code": commune.insee_code},
                )
            else:
                return _ssmsi_preview(request, plan, commune, series, context)
    context["form"] = form
    return render(request, "actions/ssmsi_import.html", context)


def _ssmsi_preview(request, plan, commune, series, context, form=None):
    tracked = set(
        Indicator.objects.filter(plan=plan, commune=commune)
        .exclude(ssmsi_indicator="")
        .values_list("ssmsi_indicator", flat=True)
    )
    years = sorted({year for s in series.values() for year in s.years})
    form = form or SsmsiConfirmForm(
        labels=series,
        initial={"token": ssmsi.pack(plan.pk, commune.pk, series), "indicators": sorted(tracked)},
    )
    rows = [
        (s, label in tracked, [s.years.get(year, (None, None)) for year in years])
        for label, s in series.items()
    ]
    context.update({"commune": commune, "years": years, "rows": rows, "confirm": form})
    return render(request, "actions/ssmsi_import.html", context)


def _ssmsi_import(request, plan, communes, context):
    try:
        commune_id, series = ssmsi.unpack(request.POST.get("token", ""), plan.pk)
    except ssmsi.SsmsiError as error:
        messages.error(request, str(error))
        return redirect("actions:plan-ssmsi", plan.pk)
    commune = get_object_or_404(communes, pk=commune_id)
    form = SsmsiConfirmForm(request.POST, labels=series)
    if not form.is_valid():
        messages.error(request, _("Rien n’a été importé : corrigez les champs signalés."))
        return _ssmsi_preview(request, plan, commune, series, context, form=form)
    chosen = [series[label] for label in form.cleaned_data["indicators"]]
    try:
        with transaction.atomic():
            counts = ssmsi.import_series(
                plan, commune, chosen, form.cleaned_data["measure"] == "rate", request.user
            )
    except IntegrityError:  # the same series imported elsewhere at the same moment
        messages.error(
            request, _("Rien n’a été importé : un autre import était en cours. Recommencez.")
        )
        return _ssmsi_preview(request, plan, commune, series, context, form=form)
    messages.success(
        request,
        _(
            "Chiffres du SSMSI importés pour %(commune)s : %(indicators)s indicateur(s) créé(s), "
            "%(created)s valeur(s) ajoutée(s), %(updated)s mise(s) à jour."
        )
        % {"commune": commune.name, **counts},
    )
    if counts["indicators"]:
        messages.info(
            request,
            _(
                "Les indicateurs créés n’ont encore ni référence ni cible : fixez-les depuis la "
                "liste « indicateurs à compléter » ci-dessous."
            ),
        )
    return redirect(plan)


# -- writing plans, fiches-actions and indicators (actions/editors.py) ----------------------


def _closed(request, plan):
    """A redirect to the plan's page when it is closed (read-only); None otherwise."""
    if plan.status != ActionPlan.Status.CLOSED:
        return None
    messages.info(request, _("Ce plan est clos : il se consulte, il ne se modifie plus."))
    return redirect(plan)


def _edit_page(request, make, template, context, saved_message):
    """The page of an editor (`make(data, add_rows)`): shown, rows added without JavaScript
    (nothing saved), or saved at once — or not at all, with every error next to its field
    and everything typed kept; 409 when the record changed since the page was opened."""
    status = 200
    if request.method != "POST":
        editor = make(None, None)
    else:
        editor = make(request.POST, None)
        add_row = request.POST.get("add_row")
        if add_row in editor.prefixes:
            editor = make(request.POST, {add_row: 1})
        elif editor.is_valid():
            try:
                record = editor.save(request.user)
            except EditConflict:
                record = editor.form.instance
                current = type(record).objects.filter(pk=record.pk).values_list("version")
                if not current:
                    raise Http404 from None  # removed meanwhile (by an administrator)
                data = request.POST.copy()
                data["version"] = signed_version(current[0][0])
                editor = make(data, None)
                editor.conflict = True
                status = 409
                messages.error(
                    request,
                    _(
                        "Quelqu’un a enregistré cette page pendant que vous la modifiiez : "
                        "rien n’a été enregistré. Votre saisie est conservée ci-dessous ; "
                        "ouvrez la page dans un autre onglet pour comparer. Enregistrer à "
                        "nouveau remplacera ses modifications par les vôtres."
                    ),
                )
            except IntegrityError:
                # A rule of the database met by a write made at the same moment elsewhere.
                editor = make(request.POST, None)
                editor.is_valid()
                status = 409
                messages.error(
                    request,
                    _(
                        "Rien n’a été enregistré : une autre saisie sur les mêmes lignes a eu "
                        "lieu au même moment. Votre saisie est conservée ; enregistrez de nouveau."
                    ),
                )
            else:
                messages.success(request, saved_message)
                return redirect(record)
        else:
            messages.error(
                request,
                _("Rien n’a été enregistré : corrigez les champs signalés ci-dessous."),
            )
    return render(request, template, {**context, "editor": editor}, status=status)


def plan_create(request, body_id):
    """A new plan for the body: its coordinators and administrators."""
    access = access_for(request.user)
    body = get_object_or_404(
        Body.objects.visible_to(access).select_related("department"), pk=body_id
    )
    if not can_manage_plans(access, body):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(WRITERS_ONLY)
    return _edit_page(
        request,
        lambda data, add_rows: PlanEditor(body=body, data=data, add_rows=add_rows),
        "actions/plan_form.html",
        {"body": body},
        _("Plan d’action enregistré."),
    )


def plan_edit(request, pk):
    """A plan's fields, diagnostic and objectives, saved at once."""
    plan, refusal = _plan_for_writing(request, pk)
    if refusal or (refusal := _closed(request, plan)):
        return refusal
    return _edit_page(
        request,
        lambda data, add_rows: PlanEditor(body=plan.body, plan=plan, data=data, add_rows=add_rows),
        "actions/plan_form.html",
        {"body": plan.body, "plan": plan},
        _("Plan d’action enregistré."),
    )


def plan_adopt(request, pk):
    """Adopting a draft plan, with the date of its adoption."""
    plan, refusal = _plan_for_writing(request, pk)
    if refusal or (refusal := _closed(request, plan)):
        return refusal
    form = AdoptionForm(request.POST or None, instance=plan) if plan.status == "draft" else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except RecordModifiedError:
            messages.error(
                request,
                _(
                    "Quelqu’un a modifié ce plan pendant que vous l’adoptiez : rien n’a été "
                    "enregistré. Relisez-le, puis adoptez-le de nouveau."
                ),
            )
            return redirect(plan)
        messages.success(request, _("Plan adopté."))
        return redirect(plan)
    return render(
        request, "actions/plan_adopt.html", {"plan": plan, "body": plan.body, "form": form}
    )


def action_create(request, pk):
    """A new fiche-action in the plan."""
    plan, refusal = _plan_for_writing(request, pk)
    if refusal or (refusal := _closed(request, plan)):
        return refusal
    access = access_for(request.user)
    return _edit_page(
        request,
        lambda data, add_rows: ActionEditor(plan=plan, access=access, data=data, add_rows=add_rows),
        "actions/action_form.html",
        {"body": plan.body, "plan": plan},
        _("Fiche-action enregistrée."),
    )


def _record_for_writing(request, queryset, pk):
    """(record, plan, None) for a record of a plan its reader writes (its plan loaded);
    login for anonymous readers, 404 when unreadable, 403 when read but not written."""
    if not request.user.is_authenticated:
        return None, None, redirect_to_login(request.get_full_path())
    access = access_for(request.user)
    record = get_object_or_404(
        queryset.filter(plan__in=ActionPlan.objects.readable_by(access)).select_related(
            "plan__body__department"
        ),
        pk=pk,
    )
    if not can_manage_plans(access, record.plan.body):
        raise PermissionDenied(WRITERS_ONLY)
    return record, record.plan, _closed(request, record.plan)


def action_edit(request, pk):
    """A fiche-action's fields, milestones and funding lines, saved at once."""
    action, plan, refusal = _record_for_writing(request, Action.objects.all(), pk)
    if refusal:
        return refusal
    access = access_for(request.user)
    return _edit_page(
        request,
        lambda data, add_rows: ActionEditor(
            plan=plan, access=access, action=action, data=data, add_rows=add_rows
        ),
        "actions/action_form.html",
        {"body": plan.body, "plan": plan, "action": action},
        _("Fiche-action enregistrée."),
    )


def indicator_create(request, pk):
    """A new indicator of the plan, or of one of its actions (`?action=`)."""
    plan, refusal = _plan_for_writing(request, pk)
    if refusal or (refusal := _closed(request, plan)):
        return refusal
    access = access_for(request.user)
    asked = request.GET.get("action", "")
    action = plan.actions.filter(pk=int(asked)).first() if is_whole_number(asked) else None
    return _edit_page(
        request,
        lambda data, add_rows: IndicatorEditor(plan=plan, access=access, data=data, action=action),
        "actions/indicator_form.html",
        {"body": plan.body, "plan": plan},
        _("Indicateur enregistré."),
    )


def indicator_edit(request, pk):
    """An indicator: unit, direction, baseline and target, frequency, source, territory."""
    indicator, plan, refusal = _record_for_writing(request, Indicator.objects.all(), pk)
    if refusal:
        return refusal
    access = access_for(request.user)
    return _edit_page(
        request,
        lambda data, add_rows: IndicatorEditor(
            plan=plan, access=access, indicator=indicator, data=data
        ),
        "actions/indicator_form.html",
        {"body": plan.body, "plan": plan, "indicator": indicator},
        _("Indicateur enregistré."),
    )
