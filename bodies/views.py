from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _

from .access import (
    access_for,
    can_edit_composition,
    can_read_problem_statement,
    pickable_people,
    visible_institutions,
)
from .composition import SeatRefused, add_seat, end_seat, replace_seat
from .forms import EndForm, PersonPicker, ReplacementForm, SeatForm
from .models import Body, Membership, composition_by_category, today


def body_context(request, pk, bodies=None) -> dict:
    """What the body page shows from this app: the body, its composition, attached bodies
    and sites. The page itself (partnerships.views.body_detail) gives `bodies` with their
    status (which reads meetings) and adds meetings, commitments and plans."""
    access = access_for(request.user)
    bodies = Body.objects.all() if bodies is None else bodies
    body = get_object_or_404(
        bodies.visible_to(access).select_related("department__region", "commune", "epci", "parent"),
        pk=pk,
    )
    memberships = list(
        Membership.objects.current()
        .filter(body=body)
        .select_related("institution", "person", "body")
        .order_by("role", "institution__name")
    )
    chair = next((m for m in memberships if m.role == Membership.Role.CHAIR), None)
    return {
        "access": access,
        "show_problem_statement": bool(body.problem_statement)
        and can_read_problem_statement(access, body),
        "body": body,
        "other_names": [name.strip() for name in body.other_names.splitlines() if name.strip()],
        "children": bodies.filter(parent=body)
        .select_related("commune", "epci")
        .order_by("type", "name"),
        "sites": body.sites.order_by("name"),
        "chair": chair,
        "composition": composition_by_category(memberships),
        "member_count": len(memberships),
        "can_edit_composition": can_edit_composition(access, body),
    }


# -- the « Composition » page: who sits in the body, and changing it -----------------------


def _body_for_composition(request, body):
    """None when the user edits the body's composition; the login page for anonymous
    visitors; 403 for others (a body's existence and composition by institution are public)."""
    access = access_for(request.user)
    if can_edit_composition(access, body):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(
        _("Seuls les coordonnateurs de l’instance et la préfecture modifient sa composition.")
    )


def composition(request, pk):
    """The seats of a body, current ones by institution (person, role, start, substitute),
    with « remplacer » and « mettre fin », then the past ones. Queries, whatever the seats:
    the user's access, the body, its seats."""
    body = get_object_or_404(Body.objects.select_related("department"), pk=pk)
    if refusal := _body_for_composition(request, body):
        return refusal
    seats = list(
        Membership.objects.filter(body=body)
        .select_related("person", "institution", "substitute")
        .order_by("institution__name", "role", "-started_on", "pk")
    )
    on = today()
    current = [seat for seat in seats if seat.is_current(on) or seat.started_on > on]
    by_institution: dict = {}
    for seat in current:
        by_institution.setdefault(seat.institution, []).append(seat)
    past = sorted(
        (seat for seat in seats if seat.ended_on is not None and seat.ended_on < on),
        key=lambda seat: (seat.ended_on, seat.pk),
        reverse=True,
    )
    context = {
        "body": body,
        "by_institution": list(by_institution.items()),
        "current_count": len(current),
        "past": past,
        "today": on,
    }
    return render(request, "bodies/composition.html", context)


def _pickers(request, body, data, legend, initial_substitute=None):
    """The person and substitute pickers of a seat's page; `?person-q=` (or
    `?substitute-q=`) searches without posting, for the page's script."""
    access = access_for(request.user)
    candidates = pickable_people(access, body)
    return (
        PersonPicker(
            data,
            prefix="person",
            candidates=candidates,
            legend=legend,
            query=None if data is not None else request.GET.get("person-q", ""),
        ),
        PersonPicker(
            data,
            prefix="substitute",
            candidates=candidates,
            legend=_("Suppléant (facultatif)"),
            optional=True,
            query=None if data is not None else request.GET.get("substitute-q", ""),
            initial={"choice": initial_substitute or ""},
        ),
    )


FIELD_OF = {"started_on": "started_on", "institution": "institution", "role": "role"}


def _refused(refusal, form, picker, substitute, fields):
    """The rules' errors (`SeatRefused`), each on the form field it concerns."""
    for field, messages_ in refusal.errors.items():
        for message in messages_:
            if field == "person":
                picker.add_error("q", message)
            elif field == "substitute":
                substitute.add_error("q", message)
            elif field in fields:
                form.add_error(fields[field], message)
            else:
                form.add_error(None, message)


def _seat_page(request, body, template_context, form, picker, substitute, save, fields):
    """Shown; a search without JavaScript (nothing saved); or saved — or not, with every
    error next to its field and everything typed kept."""
    if request.method == "POST" and "search" not in request.POST:
        valid = all([form.is_valid(), picker.is_valid(), substitute.is_valid()])
        if valid:
            try:
                save()
            except SeatRefused as refusal:
                _refused(refusal, form, picker, substitute, fields)
            else:
                return redirect("bodies:body-composition", body.pk)
        messages.error(
            request, _("Rien n’a été enregistré : corrigez les champs signalés ci-dessous.")
        )
    context = {
        "body": body,
        "form": form,
        "picker": picker,
        "substitute": substitute,
        **template_context,
    }
    return render(request, "bodies/seat_form.html", context)


def seat_add(request, pk):
    """A new seat in the body: a person found or created, an institution, a role, a start."""
    body = get_object_or_404(Body.objects.select_related("department"), pk=pk)
    if refusal := _body_for_composition(request, body):
        return refusal
    data = request.POST if request.method == "POST" else None
    access = access_for(request.user)
    form = SeatForm(
        data,
        institutions=visible_institutions(access)
        .filter(department_id=body.department_id)
        .order_by("name"),
    )
    picker, substitute = _pickers(request, body, data, _("Personne qui siège"))

    def save():
        seat = add_seat(
            body,
            picker,
            substitute,
            form.cleaned_data["institution"],
            form.cleaned_data["role"],
            form.cleaned_data["started_on"],
            request.user,
        )
        messages.success(
            request,
            _("%(person)s siège désormais pour %(institution)s.")
            % {"person": seat.person, "institution": seat.institution},
        )

    return _seat_page(
        request,
        body,
        {"title": _("Ajouter un siège"), "action": "add"},
        form,
        picker,
        substitute,
        save,
        FIELD_OF,
    )


def _seat_for_composition(request, pk):
    if not request.user.is_authenticated:  # before the lookup: which seats exist is no one's
        return None, redirect_to_login(request.get_full_path())
    seat = get_object_or_404(
        Membership.objects.select_related(
            "body__department", "person", "institution", "substitute"
        ),
        pk=pk,
    )
    return seat, _body_for_composition(request, seat.body)


def seat_replace(request, pk):
    """A representative replaced: the seat ends the day before its successor's begins."""
    seat, refusal = _seat_for_composition(request, pk)
    if refusal:
        return refusal
    data = request.POST if request.method == "POST" else None
    form = ReplacementForm(data, seat=seat)
    picker, substitute = _pickers(
        request, seat.body, data, _("Successeur"), initial_substitute=seat.substitute_id
    )

    def save():
        successor = replace_seat(seat, picker, substitute, form.cleaned_data["on"], request.user)
        messages.success(
            request,
            _("%(outgoing)s est remplacé par %(successor)s pour %(institution)s.")
            % {
                "outgoing": seat.person,
                "successor": successor.person,
                "institution": seat.institution,
            },
        )

    return _seat_page(
        request,
        seat.body,
        {"title": _("Remplacer un représentant"), "action": "replace", "seat": seat},
        form,
        picker,
        substitute,
        save,
        {"started_on": "on", "ended_on": "on"},
    )


def seat_end(request, pk):
    """A seat ended: its last day; it stays in the body's history."""
    seat, refusal = _seat_for_composition(request, pk)
    if refusal:
        return refusal
    body = seat.body
    form = EndForm(request.POST if request.method == "POST" else None, seat=seat)
    if request.method == "POST" and form.is_valid():
        try:
            end_seat(seat, form.cleaned_data["ended_on"])
        except SeatRefused as refusal:
            for field, messages_ in refusal.errors.items():
                for message in messages_:
                    form.add_error(
                        "ended_on" if field in ("ended_on", "started_on") else None, message
                    )
        else:
            messages.success(
                request,
                _("Le mandat de %(person)s prend fin le %(date)s.")
                % {
                    "person": seat.person,
                    "date": formats.date_format(form.cleaned_data["ended_on"], "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("bodies:body-composition", body.pk)
    context = {"body": body, "seat": seat, "form": form, "title": _("Mettre fin à un mandat")}
    return render(request, "bodies/seat_end.html", context)
