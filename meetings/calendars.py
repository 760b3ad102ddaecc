"""Meetings as iCalendar events: the body's public feed, each user's private feed and the
invitations attached to convocations share them, so a calendar application that holds a
meeting from one recognises it in the others (same UID).

Never minutes, decisions or attendance in an event: the date, the body, the kind, the place
where the reader may read it, and a link to the meeting's page.
"""

import datetime
from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from bodies.models import Confidentiality
from mail.sending import absolute_url, site_host

from .models import Meeting

MEETING_DURATION = datetime.timedelta(hours=2)  # the registry records a start only
ICAL_STATUS = {
    Meeting.Status.PLANNED: "TENTATIVE",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.CANCELLED: "CANCELLED",
}
PRODID = "-//Registre des partenariats locaux de sécurité//FR"


def meeting_uid(meeting) -> str:
    """The meeting's identifier in every calendar, stable for its whole life."""
    return f"meeting-{meeting.pk}@{site_host()}"


def new_calendar(name: str | None = None, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def meeting_event(meeting, body_name: str) -> Event:
    """The meeting as a feed shows it to a reader who may read it."""
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + MEETING_DURATION)
    event.add("summary", f"{meeting.get_kind_display()} — {body_name}")
    if meeting.place:
        event.add("location", meeting.place)
    event.add("url", absolute_url(meeting.get_absolute_url()))
    event.add("status", ICAL_STATUS[meeting.status])
    return event


def feed(meetings, name: str, *, private: bool = False) -> bytes:
    """A calendar of `meetings` (with `body` loaded). A private feed — a URL that calendar
    services keep and sync elsewhere — leaves out a restricted meeting's place, as e-mails
    do: its page has it, behind login."""
    calendar = new_calendar(name)
    for meeting in meetings:
        event = meeting_event(meeting, meeting.body.name)
        if private and not shows_details(meeting):
            event.pop("location", None)
        calendar.add_component(event)
    return calendar.to_ical()


def shows_details(meeting) -> bool:
    """Whether an e-mail may carry the meeting's place and agenda: never for a restricted
    meeting, whose e-mails only link to its page."""
    return meeting.confidentiality != Confidentiality.RESTRICTED


def invitation(meeting, *, method: str, sequence: int, address: str, agenda=()) -> MIMEText:
    """The invitation attached to a convocation (METHOD:REQUEST) or to its cancellation
    (METHOD:CANCEL), for one attendee: same UID as the feeds, `sequence` growing with each
    change so calendar applications update the event they hold. A restricted meeting's
    invitation has no place nor agenda."""
    calendar = new_calendar(method=method)
    event = meeting_event(meeting, meeting.body.name)
    event.pop("location", None)
    event.pop("dtstamp")
    event.add("dtstamp", timezone.now())  # when this version was sent
    event.add("sequence", sequence)
    # a cancellation may reach someone who can no longer read the meeting: it carries its
    # date, body and kind only, never its place nor its agenda
    detailed = shows_details(meeting) and method != "CANCEL"
    if detailed and meeting.place:
        event.add("location", meeting.place)
    lines = [f"- {title}" for title in agenda] if detailed else []
    event.add("description", "\n".join([*lines, absolute_url(meeting.get_absolute_url())]))
    event.pop("status")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{_address_of(settings.DEFAULT_FROM_EMAIL)}")
    organizer.params["cn"] = vText(meeting.body.name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{address}")
    attendee.params.update(
        {"role": vText("REQ-PARTICIPANT"), "partstat": vText("NEEDS-ACTION"), "rsvp": "FALSE"}
    )
    event.add("attendee", attendee)
    calendar.add_component(event)
    part = MIMEText(calendar.to_ical().decode(), "calendar", "utf-8")
    part.set_param("method", method)
    filename = "annulation.ics" if method == "CANCEL" else "invitation.ics"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _address_of(sender: str) -> str:
    return parseaddr(sender)[1] or sender
