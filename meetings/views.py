import datetime

from concurrency.forms import get_signer
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from bodies.access import (
    access_for,
    can_read,
    can_read_commitment,
    can_record_meetings,
    can_see_member_names,
    is_named_on_meeting,
)
from bodies.models import Body
from bodies.pagination import paginate
from bodies.validators import is_whole_number

from .filters import CommitmentFilter
from .models import Commitment, CommitmentFollowUp, Meeting
from .services import MeetingAlreadyRecorded, MeetingConflict, MeetingPage, posted_date

MEETING_DURATION = datetime.timedelta(hours=2)  # the registry records a start only
ICAL_STATUS = {
    Meeting.Status.PLANNED: "TENTATIVE",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.CANCELLED: "CANCELLED",
}


def meeting_detail(request, pk):
    """A meeting the reader may read (404 otherwise): agenda, attendance, decisions,
    commitments made and commitments followed up. Decisions and commitments of a higher
    level than the reader's are left out; names appear to the body's partners only."""
    access = access_for(request.user)
    meeting = get_object_or_404(
        Meeting.objects.readable_by(access).select_related("body__department"), pk=pk
    )
    body = meeting.body
    named = is_named_on_meeting(access, meeting)  # attendees are named on its decisions

    context = {
        "meeting": meeting,
        "body": body,
        "agenda_items": meeting.agenda_items.all(),
        "attendances": meeting.attendances.select_related(
            "person", "institution", "represented_by", "membership"
        ).order_by("institution__name", "person__last_name"),
        "show_names": can_see_member_names(access, body, named=named),
        "decisions": [
            d
            for d in meeting.decisions.select_related("agenda_item")
            if can_read(access, body, d.confidentiality, named=named)
        ],
        "commitments": [
            c
            for c in meeting.commitments.select_related("owner_institution", "owner_person")
            if can_read_commitment(access, body, c)
        ],
        "follow_ups": [
            f
            for f in meeting.follow_ups.select_related("commitment__owner_institution")
            if can_read_commitment(access, body, f.commitment)
        ],
        "can_edit": can_record_meetings(access, body),
    }
    return render(request, "meetings/meeting_detail.html", context)


ROW_PREFIXES = ("agenda", "guests", "decisions", "commitments")


def _body_for_recording(request, body):
    """Anonymous readers are sent to log in; others need to coordinate the body (403)."""
    access = access_for(request.user)
    if not can_record_meetings(access, body):
        if not request.user.is_authenticated:
            return access, redirect_to_login(request.get_full_path())
        raise PermissionDenied(
            _("Seuls les coordonnateurs de l’instance enregistrent ses réunions.")
        )
    return access, None


def _meeting_page(request, body, meeting=None):
    access, refusal = _body_for_recording(request, body)
    if refusal:
        return refusal
    if request.method != "POST":
        # `?date=`: the members expected at that date (the page's script asks for them when
        # the date changes, and swaps the attendance rows in).
        on = posted_date(request.GET)
        page = MeetingPage(
            body=body,
            access=access,
            meeting=meeting,
            on=on,
            guest_query=request.GET.get("guest-q", ""),
        )
        if on is not None:
            page.meeting_form.initial["date"] = on
        return render(request, "meetings/meeting_form.html", {"page": page, "body": body})

    add_row = request.POST.get("add_row")
    if add_row in ROW_PREFIXES:  # "Ajouter une ligne" without JavaScript: nothing is saved
        page = MeetingPage(
            body=body, access=access, meeting=meeting, data=request.POST, add_rows={add_row: 1}
        )
        return render(request, "meetings/meeting_form.html", {"page": page, "body": body})

    add_guest = str(request.POST.get("add_guest", ""))
    if is_whole_number(add_guest) or "search_guests" in request.POST:
        # A guest searched for or added (« Rechercher », « Inviter »): nothing is saved.
        page = MeetingPage(
            body=body,
            access=access,
            meeting=meeting,
            data=request.POST,
            add_guest=int(add_guest) if is_whole_number(add_guest) else None,
        )
        return render(request, "meetings/meeting_form.html", {"page": page, "body": body})

    page = MeetingPage(body=body, access=access, meeting=meeting, data=request.POST)
    if page.members_refreshed or "refresh_members" in request.POST:
        # The date changed on a page without JavaScript (or the button asked for it): the
        # rows now follow the posted date; nothing is saved until they are checked.
        if page.members_refreshed:
            messages.warning(
                request,
                _(
                    "La liste des membres attendus a été mise à jour pour la date de la "
                    "réunion : rien n’a été enregistré. Vérifiez les présences, puis "
                    "enregistrez."
                ),
            )
        return render(request, "meetings/meeting_form.html", {"page": page, "body": body})
    if page.is_valid():
        try:
            saved = page.save(request.user)
        except MeetingConflict:
            # Show the input again over the version now saved: a second press of "save"
            # then deliberately replaces the other person's changes.
            data = request.POST.copy()
            current = Meeting.objects.filter(pk=meeting.pk).values_list("version", flat=True)
            data["version"] = get_signer().sign(current.first())
            page = MeetingPage(body=body, access=access, meeting=meeting, data=data)
            messages.error(
                request,
                _(
                    "Quelqu’un a enregistré cette réunion pendant que vous la modifiiez : "
                    "rien n’a été enregistré. Votre saisie est conservée ci-dessous ; ouvrez "
                    "la réunion dans un autre onglet pour comparer. Enregistrer à nouveau "
                    "remplacera ses modifications par les vôtres."
                ),
            )
            page.conflict = True
        except MeetingAlreadyRecorded as already:
            messages.info(
                request,
                _("Ce formulaire avait déjà été enregistré : voici la réunion qu’il a créée."),
            )
            return redirect(already.meeting)
        else:
            messages.success(request, _("Réunion enregistrée."))
            _say_dropped_follow_ups(request, page)
            return redirect(saved)
    else:
        messages.error(
            request,
            _("La réunion n’a pas été enregistrée : corrigez les champs signalés ci-dessous."),
        )
        _say_dropped_follow_ups(request, page)
    return render(
        request,
        "meetings/meeting_form.html",
        {"page": page, "body": body},
        status=409 if getattr(page, "conflict", False) else 200,
    )


def _say_dropped_follow_ups(request, page):
    for commitment in page.dropped_follow_ups:
        if commitment is None:
            text = _(
                "Un engagement proposé au suivi a été supprimé par ailleurs depuis l’ouverture "
                "de cette page : son suivi n’est pas enregistré."
            )
        else:
            text = _(
                "L’engagement « %(description)s » a été clos par ailleurs depuis l’ouverture de "
                "cette page : son suivi n’est pas enregistré."
            ) % {"description": commitment.description}
        messages.warning(request, text)


def meeting_create(request, body_id):
    body = get_object_or_404(Body.objects.visible_to(access_for(request.user)), pk=body_id)
    return _meeting_page(request, body)


def meeting_edit(request, pk):
    meeting = get_object_or_404(Meeting.objects.readable_by(access_for(request.user)), pk=pk)
    return _meeting_page(request, meeting.body, meeting)


def body_meetings(request, body_id):
    """Every meeting of the body that the reader may read, newest first, paginated. Three
    queries: the body, the count, the page."""
    access = access_for(request.user)
    body = get_object_or_404(Body.objects.visible_to(access), pk=body_id)
    meetings = Meeting.objects.readable_by(access).filter(body=body).order_by("-starts_at", "-pk")
    page = paginate(request, meetings)
    context = {"body": body, "page_obj": page, "meetings": page.object_list}
    return render(request, "meetings/meeting_archive.html", context)


def commitment_list(request):
    """Commitments the reader may read, filtered in the query string (body, owner
    institution, département, state, due dates), each with the meeting it came from and its
    follow-ups at meetings the reader may read. Queries, whatever the rows: the reader's
    access (up to three), the chosen body and institution (one each, when given), the
    départements offered, the count, the page, its follow-ups."""
    access = access_for(request.user)
    readable_meetings = Meeting.objects.readable_by(access).values("pk")
    commitments = (
        Commitment.objects.readable_by(access)
        .select_related("body", "owner_institution", "meeting")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=CommitmentFollowUp.objects.filter(meeting__in=readable_meetings)
                .select_related("meeting")
                .order_by("meeting__starts_at", "pk"),
            )
        )
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    filterset = CommitmentFilter(request.GET, queryset=commitments)
    results = filterset.qs if filterset.is_valid() else commitments.none()
    page = paginate(request, results)
    context = {
        "filter": filterset,
        "chosen": filterset.form.cleaned_data if filterset.is_valid() else {},
        "page_obj": page,
        "commitments": page.object_list,
        "today": timezone.localdate(),
    }
    return render(request, "meetings/commitment_list.html", context)


def body_calendar(request, body_id):
    """An iCalendar feed of the body's meetings that the requester may read (public ones for
    a calendar application, which signs in as nobody). Each event links to its page; minutes,
    decisions and attendance never go into the feed."""
    access = access_for(request.user)
    body = get_object_or_404(Body.objects.visible_to(access), pk=body_id)
    meetings = Meeting.objects.readable_by(access).filter(body=body).order_by("starts_at")
    calendar = Calendar()
    calendar.add("prodid", "-//Registre des partenariats locaux de sécurité//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", body.name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    host = request.get_host()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", meeting.updated_at)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.starts_at + MEETING_DURATION)
        event.add("summary", f"{meeting.get_kind_display()} — {body.name}")
        if meeting.place:
            event.add("location", meeting.place)
        event.add("url", request.build_absolute_uri(meeting.get_absolute_url()))
        event.add("status", ICAL_STATUS[meeting.status])
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="instance-{body.pk}.ics"'
    return response
