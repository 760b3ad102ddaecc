"""The dashboards (county, national), « Mes instances », and where each role lands after
logging in."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bodies.access import (
    access_for,
    dashboard_department_ids,
    has_workspace,
    reads_county_dashboard,
    reads_national_figures,
)
from bodies.models import Body, Department, Institution

from . import charts, maps
from .county import (
    CLSPD_OBLIGATION_POPULATION,
    CODAF_MEETINGS_A_YEAR,
    COORDINATOR_OBLIGATION_POPULATION,
    DEPARTED_WITHIN_MONTHS,
    STOPPED_AFTER_MEETINGS,
    County,
    indicators_behind,
    share,
)
from .integration import RULES
from .national import national_rows, sorted_rows
from .views import STATUSES, status_table
from .workspace import my_bodies


def county_dashboard(request, code):
    """A département's dashboard: for its prefecture staff, national staff and
    administrators (404 for others; the login page for anonymous visitors). The queries do
    not grow with the data (tests/test_dashboard.py names them)."""
    access = access_for(request.user)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    department = get_object_or_404(Department.objects.select_related("region"), code=code)
    if not reads_county_dashboard(access, department.pk):
        raise Http404
    county = County(department, access)
    status_rows, total, active = status_table(county.bodies())
    by_category = county.attendance_by_category()
    by_institution = county.attendance_by_institution()
    commitments = county.commitments_by_institution()
    totals = county.commitment_totals()
    late_count, median_delay = county.median_delay()
    plans = county.plans_in_force()
    categories = dict(Institution.Category.choices)
    coverage_map, coverage_legend = maps.county_map(
        department, maps.coverage_of_communes(department, county.on)
    )
    context = {
        "coverage_map": coverage_map,
        "coverage_legend": coverage_legend,
        "department": department,
        "on": county.on,
        "status_rows": status_rows,
        "statuses": STATUSES,
        "total": total,
        "active_total": active,
        "status_chart": charts.bodies_by_status(status_rows),
        "dormant": list(county.dormant()),
        "coverage": county.coverage(),
        "attendance_by_category": [
            {**row, "label": categories.get(row["institution__category"], "")}
            for row in by_category
        ],
        "attendance_chart": charts.attendance_by_category(by_category, categories),
        "attendance_by_institution": by_institution,
        "formal_participation": [
            row for row in by_institution if row["attended"] and not row["owns_commitments"]
        ],
        "stopped_coming": county.stopped_coming(),
        "commitments": commitments,
        "commitments_chart": charts.commitments_by_institution(commitments),
        "commitment_totals": totals,
        "on_time_share": share(totals["on_time"], totals["due"]),
        "late_count": late_count,
        "median_delay": median_delay,
        "departed": list(county.departed_key_people()),
        "missing_key_people": list(county.bodies_missing_key_people()),
        "changed_and_silent": list(county.changed_and_silent()),
        "plans": plans,
        "indicators_behind": indicators_behind(plans),
        "without_plan": list(county.without_plan()),
        "integration": list(county.integration()),
        "integration_rules": RULES,
        "thresholds": {
            "clspd": CLSPD_OBLIGATION_POPULATION,
            "coordinator": COORDINATOR_OBLIGATION_POPULATION,
            "codaf": CODAF_MEETINGS_A_YEAR,
            "departed_months": DEPARTED_WITHIN_MONTHS,
            "stopped_after": STOPPED_AFTER_MEETINGS,
        },
        "body_types": Body.Type,
    }
    return render(request, "dashboard/county.html", context)


# The figures the national map can show; the first three are public.
MAP_FIGURES = [
    ("dormant", _("Instances en sommeil")),
    ("uncovered", _("Communes soumises à l’obligation sans instance en activité")),
    ("active", _("Instances en activité")),
    ("overdue", _("Engagements en retard")),
    ("attendance", _("Taux de présence (12 mois)")),
    ("plans", _("Plans en vigueur")),
]


def national_overview(request):
    """One row per département, sortable; everyone sees the public figures (bodies by
    status, coverage gaps), national staff and administrators all of them. Six queries."""
    access = access_for(request.user)
    full = reads_national_figures(access)
    rows = national_rows(access, full)
    figures = MAP_FIGURES if full else MAP_FIGURES[:3]
    figure = request.GET.get("carte", "")
    if figure not in dict(figures):
        figure = figures[0][0]
    column = request.GET.get("o", "")
    rows = sorted_rows(rows, column)
    national_map, legend = maps.national_map(rows, figure, str(dict(figures)[figure]))
    context = {
        "map": national_map,
        "map_legend": legend,
        "map_figures": figures,
        "map_figure": figure,
        "rows": rows,
        "full": full,
        "sort": column,
        "own_departments": dashboard_department_ids(access),
        "totals": [
            (status, label, sum(r.statuses.get(status, 0) for r in rows))
            for status, label in STATUSES
        ],
        "uncovered_total": sum(r.uncovered for r in rows),
        "statuses": STATUSES,
    }
    return render(request, "dashboard/national.html", context)


def workspace(request):
    """« Mes instances »: a coordinator's or member's bodies, their next meetings, the
    commitments due within 30 days or overdue, and (for coordinators) the indicators whose
    last period is not measured yet. Anonymous visitors log in first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access = access_for(request.user)
    context = my_bodies(access)
    return render(request, "dashboard/workspace.html", context)


def after_login(request):
    """Where each role lands after logging in: national staff and administrators on the
    national overview, prefecture staff on their département's dashboard, coordinators and
    members on their bodies, others on the home page; anonymous visitors log in first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access = access_for(request.user)
    if reads_national_figures(access):
        return redirect("dashboard:national")
    departments = dashboard_department_ids(access)
    if departments:
        department = Department.objects.filter(pk__in=departments).order_by("code").first()
        return redirect("dashboard:county", department.code)
    if has_workspace(access):
        return redirect("workspace")
    return redirect(reverse("home"))
