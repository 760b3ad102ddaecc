"""A meeting's record as one reader may read it — the meeting page, the printable minutes and
their OpenDocument file are built from the same `readable_record`, so the three never differ
in what they let through.

Decisions, commitments and follow-ups of a higher level than the reader's are left out;
names (attendees, the chair, commitments' owners) appear to the body's partners only, or
where they are public (a chair holding public office, a member who consented).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from odf.opendocument import OpenDocumentText
from odf.style import ParagraphProperties, Style, TableColumnProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, List, ListItem, P

from bodies.access import can_read, can_read_commitment, can_see_member_names, is_named_on_meeting
from bodies.models import Membership
from mail.sending import absolute_url


@dataclass
class InstitutionAttendance:
    institution: object
    rows: list


def approval(access, meeting) -> dict | None:
    """« Compte rendu approuvé » as `access` may read it: None when the minutes are not
    marked approved or the approving meeting is no longer held (cancelled, or back to
    planned); its date only to a reader who may read the approving meeting — the date of a
    meeting the reader cannot see is not disclosed, only that the minutes were approved.
    One query when marked, none otherwise (`minutes_approved_at` loaded with the meeting)."""
    approving = meeting.minutes_approved_at if meeting.minutes_approved_at_id else None
    if approving is None or approving.status != approving.Status.HELD:
        return None
    readable = type(meeting).objects.readable_by(access).filter(pk=approving.pk).exists()
    return {"date": approving.date if readable else None}


def readable_record(access, meeting) -> dict:
    """What `access` may read of `meeting` (with `body` loaded): agenda, attendance (and by
    institution), decisions, commitments made, follow-ups. Six queries."""
    body = meeting.body
    named = is_named_on_meeting(access, meeting)  # attendees are named on its decisions
    show_names = can_see_member_names(access, body, named=named)
    attendances = list(
        meeting.attendances.select_related(
            "person", "institution", "represented_by", "membership"
        ).order_by("institution__name", "person__last_name")
    )
    by_institution: list[InstitutionAttendance] = []
    for row in attendances:
        if not by_institution or by_institution[-1].institution != row.institution:
            by_institution.append(InstitutionAttendance(row.institution, []))
        by_institution[-1].rows.append(row)
    return {
        "approval": approval(access, meeting),
        "agenda_items": list(meeting.agenda_items.all()),
        "attendances": attendances,
        "attendance_by_institution": by_institution,
        "show_names": show_names,
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
    }


def document_record(access, meeting) -> dict:
    """The readable record, with the minutes' header: the chair on the meeting's date, named
    where the name is public or the reader sees members' names. One query more."""
    record = readable_record(access, meeting)
    chair = (
        Membership.objects.current(meeting.date)
        .filter(body=meeting.body, role=Membership.Role.CHAIR)
        .select_related("person", "institution", "body")
        .first()
    )
    record["chair"] = chair
    record["chair_name"] = (
        str(chair.person) if chair and (record["show_names"] or chair.name_is_public) else ""
    )
    return record


def _date(value, format_name="DATE_FORMAT"):
    return formats.date_format(value, format_name) if value else "—"


def odt(meeting, record: dict) -> bytes:
    """The minutes as an OpenDocument text: header, attendance by institution, agenda,
    decisions, commitments, follow-ups, the minutes' text; each section from a new page."""
    document = OpenDocumentText()
    title = Style(name="Title", family="paragraph")
    title.addElement(TextProperties(fontsize="18pt", fontweight="bold"))
    heading = Style(name="Section", family="paragraph")
    heading.addElement(TextProperties(fontsize="14pt", fontweight="bold"))
    heading.addElement(ParagraphProperties(breakbefore="page", margintop="0.2cm"))
    bold = Style(name="Strong", family="paragraph")
    bold.addElement(TextProperties(fontweight="bold"))
    wide = Style(name="Wide", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="8cm"))
    for style in (title, heading, bold):
        document.styles.addElement(style)
    document.automaticstyles.addElement(wide)
    add = document.text.addElement

    def section(text):
        add(H(outlinelevel=2, stylename=heading, text=text))

    def bullets(lines):
        items = List()
        for line in lines:
            item = ListItem()
            item.addElement(P(text=line))
            items.addElement(item)
        add(items)

    def table(header, rows):
        grid = Table(name=f"T{len(document.text.childNodes)}")
        for _column in header:
            grid.addElement(TableColumn(stylename=wide))
        for cells, style in ((header, bold), *((r, None) for r in rows)):
            line = TableRow()
            for value in cells:
                cell = TableCell(valuetype="string")
                cell.addElement(
                    P(text=str(value), stylename=style) if style else P(text=str(value))
                )
                line.addElement(cell)
            grid.addElement(line)
        add(grid)

    body = meeting.body
    add(H(outlinelevel=1, stylename=title, text=_("Compte rendu")))
    add(P(stylename=bold, text=f"{meeting.get_kind_display()} — {body.name}"))
    add(P(text=f"{_('Date')} : {_date(meeting.starts_at, 'DATETIME_FORMAT')}"))
    add(P(text=f"{_('Lieu')} : {meeting.place or '—'}"))
    chair = record["chair"]
    if chair:
        chair_text = (
            f"{record['chair_name']} ({chair.institution.name})"
            if record["chair_name"]
            else chair.institution.name
        )
        add(P(text=f"{_('Présidence')} : {chair_text}"))
    if record["approval"] and record["approval"]["date"]:
        approved_on = _date(record["approval"]["date"])
        add(P(text=_("Compte rendu approuvé le %(date)s") % {"date": approved_on}))
    elif record["approval"]:
        add(P(text=_("Compte rendu approuvé")))
    add(P(text=absolute_url(meeting.get_absolute_url())))

    section(_("Présences"))
    if record["attendance_by_institution"]:
        rows = []
        for group in record["attendance_by_institution"]:
            for row in group.rows:
                who = str(row.person) if record["show_names"] else ""
                status = row.get_status_display()
                if record["show_names"] and row.represented_by_id:
                    status += f" ({_('par')} {row.represented_by})"
                guest = f" ({_('invité')})" if row.is_guest else ""
                rows.append((group.institution.name + guest, who, status))
        header = (_("Institution"), _("Personne"), _("Présence"))
        if not record["show_names"]:
            header, rows = (header[0], header[2]), [(r[0], r[2]) for r in rows]
        table(header, rows)
    else:
        add(P(text=_("La liste de présence n’est pas renseignée.")))

    section(_("Ordre du jour"))
    if record["agenda_items"]:
        bullets(
            f"{item.title} — {item.notes}" if item.notes else item.title
            for item in record["agenda_items"]
        )
    else:
        add(P(text=_("Aucun point n’est inscrit à l’ordre du jour.")))

    section(_("Décisions"))
    if record["decisions"]:
        bullets(d.text for d in record["decisions"])
    else:
        add(P(text=_("Aucune décision enregistrée.")))

    section(_("Engagements pris"))
    if record["commitments"]:
        table(
            (_("Qui"), _("Quoi"), _("Échéance"), _("État")),
            [
                (
                    c.owner_institution.name
                    + (f" — {c.owner_person}" if record["show_names"] and c.owner_person else ""),
                    c.description,
                    _date(c.due_on),
                    c.get_status_display(),
                )
                for c in record["commitments"]
            ],
        )
    else:
        add(P(text=_("Aucun engagement pris lors de cette réunion.")))

    section(_("Suivi des engagements antérieurs"))
    if record["follow_ups"]:
        bullets(
            f"{f.commitment.owner_institution.name} — {f.commitment.description} : "
            f"{f.get_outcome_display()}" + (f" — {f.note}" if f.note else "")
            for f in record["follow_ups"]
        )
    else:
        add(P(text=_("Aucun engagement antérieur n’a été suivi lors de cette réunion.")))

    section(_("Compte rendu"))
    for paragraph in (meeting.minutes or _("Le compte rendu n’est pas encore saisi.")).splitlines():
        add(P(text=paragraph))

    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()
