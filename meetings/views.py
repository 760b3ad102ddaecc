from django.shortcuts import get_object_or_404, render

from bodies.access import access_for, can_read, can_record_meetings
from bodies.models import Confidentiality

from .models import Meeting


def meeting_detail(request, pk):
    """A meeting the reader may read (404 otherwise): agenda, attendance, decisions,
    commitments made and commitments followed up. Decisions and commitments of a higher
    level than the reader's are left out; names appear to the body's partners only."""
    meeting = get_object_or_404(
        Meeting.objects.readable_by(request.user).select_related("body__department"), pk=pk
    )
    access = access_for(request.user)
    body = meeting.body
    named = (
        meeting.attendances.filter(person_id=access.person_id).exists()
        if (access.person_id)
        else False
    )

    def readable(record):
        return can_read(access, body, record.confidentiality, named=named)

    context = {
        "meeting": meeting,
        "body": body,
        "agenda_items": meeting.agenda_items.all(),
        "attendances": meeting.attendances.select_related(
            "person", "institution", "represented_by", "membership"
        ).order_by("institution__name", "person__last_name"),
        "show_names": can_read(access, body, Confidentiality.PARTNERS, named=named),
        "decisions": [d for d in meeting.decisions.select_related("agenda_item") if readable(d)],
        "commitments": [
            c
            for c in meeting.commitments.select_related("owner_institution", "owner_person")
            if readable(c)
        ],
        "follow_ups": [
            f
            for f in meeting.follow_ups.select_related("commitment__owner_institution")
            if readable(f.commitment)
        ],
        "can_edit": can_record_meetings(access, body),
    }
    return render(request, "meetings/meeting_detail.html", context)
