"""The leak test: canary strings sit in confidential places, every page is requested as every
role, and each canary may appear only where its role may read it.

Canaries today: a GLTD's restricted problem statement, people's e-mails and phones, and the
name of a member without public office. Later issues add theirs (minutes, decisions,
commitments, diagnostics) to `CANARIES` and their pages to the URL list, which is the
permission matrix's: every URL of the configuration, in both scopes — the OParl API's JSON
answers included (and tests/oparl/ crawls the whole API from its entry point).
"""

import pytest
from django.urls import reverse

from partnerships.exports.datasets import DATASETS
from tests import factories
from tests.conftest import ROLES
from tests.odt import odt_text
from tests.test_permissions import all_urls, objects, url_for

pytestmark = pytest.mark.django_db

# canary → roles that may see it somewhere (and must: a canary nobody sees proves nothing).
# National staff (CIPDR) read partners-level records everywhere, never names or restricted ones.
CANARIES = {
    # restricted: GLTD members (person A, linked to `member`) and administrators
    "CANARY-RESTRICTED-GLTD-A": {"admin", "member"},
    # person A sits in Isère (CLSPD A): scoped staff see contact details in the admin
    "canary-mail-a@example.org": {"admin", "prefecture", "coordinator"},
    "01 99 00 77 01": {"admin", "prefecture", "coordinator"},
    # person A's surname: not a chair, no consent → never on a public page; fellow members
    # (here person A, the member, at a meeting it attended) and scoped staff see it
    "Alpha": {"admin", "prefecture", "coordinator", "member"},
    # person B sits in Rhône only: out of every scoped role's reach
    "canary-mail-b@example.org": {"admin"},
    "01 99 00 77 02": {"admin"},
    "Bravo": {"admin"},
    # minutes of a partners-only formation of body A, and of the GLTD's restricted meeting
    "CANARY-PARTNERS-MINUTES-A": {"admin", "prefecture", "coordinator", "member", "national"},
    "CANARY-RESTRICTED-MINUTES-GLTD": {"admin", "member"},
    # body A's plan diagnostic (partners); a draft plan of body A (its writers and the
    # prefecture); the GLTD's restricted plan (its members)
    "CANARY-PARTNERS-DIAGNOSTIC-A": {"admin", "prefecture", "coordinator", "member", "national"},
    "CANARY-DRAFT-PLAN-A": {"admin", "prefecture", "coordinator"},
    "CANARY-RESTRICTED-PLAN-GLTD": {"admin", "member"},
    # agenda and place of the partners-only formation of body A and of the GLTD's meeting
    "CANARY-PARTNERS-AGENDA-A": {"admin", "prefecture", "coordinator", "member", "national"},
    "CANARY-RESTRICTED-AGENDA-GLTD": {"admin", "member"},
    "CANARY-RESTRICTED-PLACE-GLTD": {"admin", "member"},
    # commitments: a partners-only one of body A, the GLTD's restricted one (owned by person A)
    "CANARY-PARTNERS-COMMITMENT-A": {"admin", "prefecture", "coordinator", "member", "national"},
    "CANARY-RESTRICTED-COMMITMENT-GLTD": {"admin", "member"},
    # body A's composition page (`plant_composition_canaries`): a former member without
    # public office nor consent, in its history — for those who edit the composition; and a
    # person who sits only in Isère's radicalisation cell, whom a search for people to seat
    # finds for the prefecture, never for body A's coordinator
    "Ancien-Canari": {"admin", "prefecture", "coordinator"},
    "canary-mail-cdpr@example.org": {"admin", "prefecture"},
}


def plant_composition_canaries(world):
    import datetime

    from bodies.models import Body, Institution

    factories.membership(
        world.body_a,
        factories.person("Paul", "Ancien-Canari", email="", phone=""),
        world.inst_a,
        ended_on=datetime.date(2023, 12, 31),
    )
    cdpr = factories.body(Body.Type.CDPR, department=world.isere)
    prefecture = factories.institution(Institution.Category.PREFECTURE, "Préfecture", world.isere)
    factories.membership(
        cdpr,
        factories.person("Canari", "Cellule", email="canary-mail-cdpr@example.org", phone=""),
        prefecture,
    )


def extra_urls(world):
    """Pages of the restricted GLTD, which the matrix does not visit."""
    gltd = world.gltd_a
    return [
        reverse("bodies:body-detail", args=[gltd.pk]),
        reverse("admin:bodies_body_change", args=[gltd.pk]),
        reverse("admin:bodies_body_history", args=[gltd.pk]),
        reverse("admin:bodies_body_simple_history", args=[gltd.pk, gltd.history.latest().pk]),
        reverse("admin:bodies_person_change", args=[world.person_a.pk]),
        reverse("admin:bodies_membership_changelist"),
        reverse("meetings:body-calendar", args=[gltd.pk]),
        reverse("meetings:body-meetings", args=[gltd.pk]),
        reverse("actions:plan-detail", args=[world.draft_plan_a.pk]),
        reverse("bodies:body-detail", args=[world.body_a.pk]),
        reverse("admin:actions_actionplan_changelist"),
        reverse("admin:actions_actionplan_change", args=[world.gltd_plan.pk]),
        reverse("admin:actions_action_changelist"),
        reverse("admin:actions_measurement_export"),
        # every open-data file, as each role downloads it
        *(reverse("exports:download", args=[name]) for name in DATASETS),
        reverse("bodies:seat-add", args=[world.body_a.pk]) + "?person-q=canari",
        reverse("bodies:seat-replace", args=[world.membership_a.pk]) + "?substitute-q=canari",
    ]


def test_canaries_appear_only_where_allowed(world, login):
    plant_composition_canaries(world)
    objs = objects(world)
    urls = {
        url_for(ns, pattern, kind, scope, world, objs)
        for ns, pattern, _route, kind in all_urls()
        for scope in ("own", "other")
    } | set(extra_urls(world))
    seen = {canary: set() for canary in CANARIES}
    leaks = []
    for role in ROLES:
        client = login(world, role)
        for url in sorted(urls):
            response = client.get(url)
            content_type = response.get("Content-Type", "")
            if response.status_code != 200:
                continue
            if content_type == "application/vnd.oasis.opendocument.text":
                html = odt_text(response.content)  # the minutes' .odt, as an office suite reads it
            elif content_type.startswith("text/") or content_type.startswith("application/json"):
                html = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                ).decode()
            else:
                continue
            for canary, allowed in CANARIES.items():
                if canary in html:
                    seen[canary].add(role)
                    if role not in allowed:
                        leaks.append(f"{canary!r} shown to {role} at {url}")
    assert not leaks, "\n".join(leaks)
    for canary, allowed in CANARIES.items():
        assert seen[canary] == allowed, (
            f"{canary!r}: expected visible to {allowed}, saw {seen[canary]}"
        )


# E-mails (issue 14): who may find each canary in an e-mail's text, HTML or attachments, by
# the recipient's role — person A is `member`, person B a member of body B without an
# account ("member-b"). Restricted text and minutes are never in an e-mail, whoever reads it.
EMAIL_CANARIES = {
    "CANARY-PARTNERS-AGENDA-A": {"member"},
    "CANARY-PARTNERS-MINUTES-A": set(),
    "CANARY-RESTRICTED-MINUTES-GLTD": set(),
    "CANARY-RESTRICTED-AGENDA-GLTD": set(),
    "CANARY-RESTRICTED-PLACE-GLTD": set(),
    "CANARY-RESTRICTED-GLTD-A": set(),
    "CANARY-RESTRICTED-COMMITMENT-GLTD": set(),
    # body A's overdue partners-only commitment, in its coordinator's reminder
    "CANARY-PARTNERS-COMMITMENT-A": {"coordinator"},
    "CANARY-RESTRICTED-PLAN-GLTD": set(),
    "CANARY-PARTNERS-DIAGNOSTIC-A": set(),
    "CANARY-DRAFT-PLAN-A": set(),
    # one's own name and address, in one's own e-mail and invitation
    "Alpha": {"member"},
    "canary-mail-a@example.org": {"member"},
    "Bravo": {"member-b"},
    "canary-mail-b@example.org": {"member-b"},
}


def email_text(message) -> str:
    """Everything a recipient reads: the text, the HTML, each attachment decoded."""
    parts = [message.subject, message.body, *(a.content for a in message.alternatives)]
    for attachment in message.attachments:
        if hasattr(attachment, "get_payload"):
            # iCalendar folds long lines: unfold them, as calendar applications do
            parts.append(attachment.get_payload(decode=True).decode().replace("\r\n ", ""))
        else:
            parts.append(str(attachment.content))
    return "\n".join(parts)


def send_every_email(world, login):
    """Every e-mail the registry sends, in the test world: the reminders of commitments, then
    each meeting planned three weeks ahead and convened (substitutes included), as an
    administrator may."""
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from meetings.models import Meeting

    call_command("send_reminders")
    ahead = timezone.now() + datetime.timedelta(days=21)
    Meeting.objects.update(starts_at=ahead, status="planned")
    client = login(world, "admin")
    for meeting in Meeting.objects.all():
        client.post(
            reverse("meetings:meeting-convocation", args=[meeting.pk]), {"substitutes": "1"}
        )


def test_canaries_never_reach_an_email_to_someone_who_may_not_read_them(world, login):
    from django.core import mail

    send_every_email(world, login)
    roles = {world.person_a.email: "member", world.person_b.email: "member-b"}
    roles |= {user.email: role for role, user in world.users.items() if user is not None}
    seen = {canary: set() for canary in EMAIL_CANARIES}
    leaks = []
    assert mail.outbox
    for message in mail.outbox:
        text = email_text(message)
        (address,) = (to.split("<")[-1].rstrip(">") for to in message.to)
        role = roles.get(address, "outsider")
        for canary, allowed in EMAIL_CANARIES.items():
            if canary in text:
                seen[canary].add(role)
                if role not in allowed:
                    leaks.append(f"{canary!r} e-mailed to {role} ({message.subject})")
    assert not leaks, "\n".join(leaks)
    for canary, allowed in EMAIL_CANARIES.items():
        assert seen[canary] == allowed, f"{canary!r}: expected in e-mails to {allowed}"


def test_prefecture_staff_cannot_read_a_restricted_problem_statement_in_the_admin(world, login):
    client = login(world, "prefecture")
    response = client.get(reverse("admin:bodies_body_change", args=[world.gltd_a.pk]))
    assert response.status_code == 200
    assert "problem_statement" not in response.content.decode()
    history = client.get(reverse("admin:bodies_body_history", args=[world.gltd_a.pk]))
    assert history.status_code == 403


def test_signed_in_pages_are_not_cached_public_pages_may_be(world, login):
    url = reverse("bodies:body-detail", args=[world.gltd_a.pk])
    anonymous = login(world, "anonymous").get(url)
    assert "no-store" not in anonymous.get("Cache-Control", "")
    member = login(world, "member").get(url)
    assert "no-store" in member["Cache-Control"] and "private" in member["Cache-Control"]
