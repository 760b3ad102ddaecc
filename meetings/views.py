import datetime
import hashlib
import secrets

from concurrency.exceptions import RecordModifiedError
from concurrency.forms import get_signer
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bodies.access import (
    access_for,
    can_record_meetings,
    followed_bodies_q,
)
from bodies.models import Body
from bodies.pagination import paginate
from bodies.validators import is_whole_number
from mail.sending import absolute_url

from . import calendars, convocations, minutes
from .filters import CommitmentFilter
from .models import CalendarFeed, Commitment, CommitmentFollowUp, Meeting
from .services import MeetingAlreadyRecorded, MeetingConflict, MeetingPage, posted_date


def meeting_detail(request, pk):
    """A meeting the reader may read (404 otherwise): agenda, attendance, decisions,
    commitments made and commitments followed up. Decisions and commitments of a higher
    level than the reader's are left out; names appear to the body's partners only."""
    access = access_for(request.user)
    meeting = get_object_or_404(
        Meeting.objects.readable_by(access).select_related(
            "body__department", "minutes_approved_at"
        ),
        pk=pk,
    )
    body = meeting.body
    context = {
        "meeting": meeting,
        "body": body,
        **minutes.readable_record(access, meeting),
        "can_edit": can_record_meetings(access, body),
    }
    if context["can_edit"]:
        context["convocation"] = convocations.summary(
            meeting, [item.title for item in context["agenda_items"]]
        )
        context["approval_choices"] = approval_choices(meeting)
    return render(request, "meetings/meeting_detail.html", context)


def _held_meeting(request, pk):
    """A held meeting the reader may read, with its body (404 otherwise: a planned or
    cancelled meeting has no minutes to circulate)."""
    access = access_for(request.user)
    meeting = get_object_or_404(
        Meeting.objects.readable_by(access)
        .held()
        .select_related("body__department", "minutes_approved_at"),
        pk=pk,
    )
    return access, meeting


def meeting_minutes(request, pk):
    """The minutes as a document to print (DSFR print styles: no navigation, each section
    from a new page): header, attendance by institution, agenda, decisions, commitments,
    follow-ups, the minutes' text — what the reader may read."""
    access, meeting = _held_meeting(request, pk)
    context = {"meeting": meeting, "body": meeting.body, **minutes.document_record(access, meeting)}
    return render(request, "meetings/minutes.html", context)


def meeting_minutes_odt(request, pk):
    """The same minutes as an OpenDocument text, to circulate and file."""
    access, meeting = _held_meeting(request, pk)
    content = minutes.odt(meeting, minutes.document_record(access, meeting))
    response = HttpResponse(content, content_type="application/vnd.oasis.opendocument.text")
    day = timezone.localdate(meeting.starts_at).isoformat()
    response["Content-Disposition"] = f'attachment; filename="compte-rendu-{meeting.pk}-{day}.odt"'
    return response


def approval_choices(meeting):
    """The meetings at which `meeting`'s minutes may be approved: later held meetings of the
    same body."""
    return (
        Meeting.objects.held()
        .filter(body_id=meeting.body_id, starts_at__gt=meeting.starts_at)
        .order_by("starts_at")
    )


def meeting_minutes_approve(request, pk):
    """Marks a held meeting's minutes approved at a later held meeting of the body (or
    clears the mark): « compte rendu approuvé le … ». Its coordinators and administrators."""
    access, meeting = _held_meeting(request, pk)
    if not can_record_meetings(access, meeting.body):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(
            _("Seuls les coordonnateurs de l’instance approuvent ses comptes rendus.")
        )
    choices = approval_choices(meeting)
    if request.method == "POST":
        value = request.POST.get("approved_at", "")
        if value == "":
            approved_at = None
        else:
            approved_at = choices.filter(pk=value).first() if value.isdigit() else None
            if approved_at is None:
                messages.error(
                    request,
                    _("Choisissez une réunion tenue plus tard par la même instance."),
                )
                return render(
                    request,
                    "meetings/minutes_approve.html",
                    {"meeting": meeting, "body": meeting.body, "choices": choices},
                    status=400,
                )
        # saved, not updated: the history records who marked (or cleared) the approval
        meeting.minutes_approved_at = approved_at
        meeting._history_user = request.user
        try:
            with transaction.atomic():
                meeting.save()
        except RecordModifiedError:
            messages.error(
                request,
                _("La réunion a été modifiée entre-temps : vérifiez-la puis recommencez."),
            )
            return redirect(meeting)
        if approved_at:
            messages.success(
                request,
                _("Compte rendu marqué approuvé le %(date)s.")
                % {"date": formats.date_format(approved_at.date)},
            )
        else:
            messages.success(request, _("Le compte rendu n’est plus marqué approuvé."))
        return redirect(meeting)
    return render(
        request,
        "meetings/minutes_approve.html",
        {"meeting": meeting, "body": meeting.body, "choices": choices},
    )


def meeting_convocation(request, pk):
    """« Envoyer la convocation »: GET shows who it will reach and who it leaves out (no
    address, may not read the meeting, stopped convocations); POST sends it — a second
    sending asks for confirmation first; `retry` sends again only the e-mails that failed.
    A cancelled meeting sends its cancellation to those convened. The meeting's
    coordinators and administrators only."""
    access = access_for(request.user)
    meeting = get_object_or_404(
        Meeting.objects.readable_by(access).select_related("body__department"), pk=pk
    )
    if not can_record_meetings(access, meeting.body):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(
            _("Seuls les coordonnateurs de l’instance envoient ses convocations.")
        )
    data = request.POST if request.method == "POST" else request.GET
    substitutes = data.get("substitutes") == "1"
    if request.method != "POST":
        context = _convocation_context(meeting, substitutes, retry=False)
        return render(request, "meetings/convocation.html", context)
    # One sending at a time per meeting, on SQLite as on PostgreSQL: the claim is committed
    # before anything is sent, and only one press wins it; another press meanwhile is told
    # a sending is under way (never a lock held while e-mails go out, never a 500).
    sending = convocations.claim(meeting)
    if sending is None:
        context = _convocation_context(meeting, substitutes, retry=False)
        context["under_way"] = True
        return render(request, "meetings/convocation.html", context)
    try:
        # what the winner sends is read after its claim: a sending that ended just before
        # is seen, and asks for confirmation
        meeting = Meeting.objects.select_related("body__department").get(pk=meeting.pk)
        return _send_convocation(request, meeting, substitutes)
    finally:
        convocations.release(sending)


def _convocation_context(meeting, substitutes: bool, retry: bool) -> dict:
    method = convocations.method_for(meeting)
    plan = (
        convocations.plan(meeting, method, substitutes=substitutes, only_failed=retry)
        if method
        else None
    )
    latest = convocations.latest_by_person(meeting)
    return {
        "meeting": meeting,
        "body": meeting.body,
        "plan": plan,
        "substitutes": substitutes,
        # an outcome unknown (a sending cut short) may have arrived: a new press confirms
        "already": [
            row for row in latest.values() if row.sent is not False and row.method == method
        ],
        "failed": [row for row in latest.values() if row.sent is False and row.method == method],
        "confirm": False,
        "under_way": False,
    }


def _send_convocation(request, meeting, substitutes):
    retry = "retry" in request.POST
    context = _convocation_context(meeting, substitutes, retry)
    plan = context["plan"]
    if plan is None:
        messages.error(request, _("Une réunion tenue ou passée ne se convoque plus."))
        return redirect(meeting)
    if not plan.recipients:
        messages.warning(request, _("Aucune personne à convoquer : rien n’a été envoyé."))
        return redirect("meetings:meeting-convocation", meeting.pk)
    if context["already"] and not retry and request.POST.get("confirm") != "1":
        context["confirm"] = True
        return render(request, "meetings/convocation.html", context)
    method = plan.method
    report = convocations.convene(plan, request.user)
    if report.sent:
        messages.success(
            request,
            ngettext(
                "%(count)d convocation envoyée.",
                "%(count)d convocations envoyées.",
                len(report.sent),
            )
            % {"count": len(report.sent)}
            if method == convocations.Method.REQUEST
            else ngettext(
                "%(count)d annulation envoyée.",
                "%(count)d annulations envoyées.",
                len(report.sent),
            )
            % {"count": len(report.sent)},
        )
    if report.failed:
        messages.error(
            request,
            ngettext(
                "%(count)d convocation n’a pas pu être envoyée : le serveur de courriel ne "
                "répond pas ou l’a refusée. Vous pouvez la renvoyer depuis cette page.",
                "%(count)d convocations n’ont pas pu être envoyées : le serveur de courriel ne "
                "répond pas ou les a refusées. Vous pouvez les renvoyer depuis cette page.",
                len(report.failed),
            )
            % {"count": len(report.failed)},
        )
    return redirect(meeting)


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
    if "add_guest" in request.POST or "search_guests" in request.POST:
        # A guest searched for or added (« Rechercher », « Inviter »): nothing is saved.
        page = MeetingPage(
            body=body,
            access=access,
            meeting=meeting,
            data=request.POST,
            add_guest=int(add_guest)
            if is_whole_number(add_guest) and len(add_guest) < 19
            else None,
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


PRIVATE_FEED_PAST_DAYS = 365  # a private feed lists the last year's meetings and every one ahead


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@login_required
def calendar_feed(request):
    """« Mon agenda »: create (or replace) and revoke one's private calendar feed. The URL is
    shown once, when created: only its hash is stored."""
    access = access_for(request.user)
    follows = followed_bodies_q(access) is not None
    feed_url = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create" and follows:
            feed_url = _new_feed(request, request.POST.get("replaces", ""))
        elif action == "revoke":
            CalendarFeed.objects.filter(user=request.user).delete()
            messages.success(
                request, _("Le lien de votre agenda est révoqué : il ne fonctionne plus.")
            )
            return redirect("meetings:calendar-feed")
    context = {
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "feed_url": feed_url,
        "follows": follows,
    }
    return render(request, "meetings/calendar_feed.html", context)


def _new_feed(request, replaces: str) -> str | None:
    """Creates the user's feed, or replaces the one its page showed (`replaces`: that feed's
    id, empty when it showed none), and returns the new URL — or None, with a message, when
    another click already did (a page posted twice, or from two tabs): every URL shown is
    the one that works. One transaction whose first statement writes, so two clicks are
    serialized on SQLite as on PostgreSQL."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        if replaces:
            gone = (
                replaces.isdigit()
                and (CalendarFeed.objects.filter(user=request.user, pk=int(replaces)).delete()[0])
            )
        else:
            gone = not CalendarFeed.objects.filter(user=request.user).exists()
        if gone:
            try:
                with transaction.atomic():
                    CalendarFeed.objects.create(user=request.user, token_hash=_token_hash(token))
            except IntegrityError:
                gone = False
    if not gone:
        messages.warning(
            request,
            _(
                "Un autre clic vient de créer votre lien : celui-ci n’a pas été créé. Seul le "
                "lien affiché lors de ce premier clic fonctionne ; remplacez-le si vous ne "
                "l’avez pas copié."
            ),
        )
        return None
    return absolute_url(reverse("meetings:private-calendar", args=[token]))


def private_calendar(request, token):
    """A user's private feed, read with its token and no session: the meetings of the bodies
    it follows that it may read today, from a year ago on. 404 once revoked, when the
    account is deactivated or follows no body any more. Never minutes or decisions, nor a
    restricted meeting's place."""
    feed = CalendarFeed.objects.filter(token_hash=_token_hash(token)).select_related("user")
    feed = feed.first()
    if feed is None or not feed.user.is_active:
        raise Http404
    access = access_for(feed.user)
    followed = followed_bodies_q(access)
    if followed is None:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=PRIVATE_FEED_PAST_DAYS)
    meetings = (
        Meeting.objects.readable_by(access)
        .filter(followed, starts_at__gte=since)
        .select_related("body")
        .order_by("starts_at", "pk")
    )
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    response = HttpResponse(
        calendars.feed(meetings, _("Mes réunions — registre des partenariats"), private=True),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def body_calendar(request, body_id):
    """An iCalendar feed of the body's meetings that the requester may read (public ones for
    a calendar application, which signs in as nobody). Each event links to its page; minutes,
    decisions and attendance never go into the feed."""
    access = access_for(request.user)
    body = get_object_or_404(Body.objects.visible_to(access), pk=body_id)
    meetings = (
        Meeting.objects.readable_by(access)
        .filter(body=body)
        .select_related("body")
        .order_by("starts_at")
    )
    response = HttpResponse(
        calendars.feed(meetings, body.name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="instance-{body.pk}.ics"'
    return response
