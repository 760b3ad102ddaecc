"""Latency and query count of the registry's pages on a generated database, and the meeting
save; run by `tests.bench.national` (`make bench`) once per scale, in a process of its own
bound to that scale's database (DATABASE_URL), with the production settings.

Each page is requested through Django's test client by the user it is meant for: warm-up
requests first (`BENCH_WARMUP`, 2), then `BENCH_REPEAT` (20) timed ones, fewer for a page
slower than `BENCH_PAGE_BUDGET` seconds (20) in all; its queries are counted on one more
request. The last line printed is a JSON object.

What is measured (the same choice at every scale, so that figures compare):
- the meeting pages' body: among bodies with at least one held meeting, the one whose current
  members and open commitments are closest to 40 and 60; its latest held meeting;
- the county dashboard's département: the one with the most bodies (its prefecture staff),
  and the median one (`county_dashboard_median`, read by national staff);
- the plan: the body's latest adopted plan (else the département's largest);
- searches: a last name (`Benali`) among memberships, a word (`rodéos`) among commitments,
  a place among meetings.
"""

import datetime
import json
import math
import os
import statistics
import sys
import time
from urllib.parse import urlencode

BENCH_USERS = {
    "admin": "bench-admin",
    "prefecture": "bench-prefecture",
    "national": "bench-national",
    "coordinator": "bench-coordinator",
}
MEMBERS, OPEN_COMMITMENTS = 40, 60
SAVE_COMMITMENTS = 15
FORM = "application/x-www-form-urlencoded"


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.served_settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("PSEUDONYM_KEY", "benchmark-only-pseudonym-key-0123456789abcdef")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("OPARL_RATE_LIMIT", "0")  # every request comes from one address
    from django.core import signals
    from django.db import close_old_connections

    # As a gunicorn worker loads the application (partnerships/wsgi.py: setup, then the
    # loaded objects frozen out of the garbage collector's way).
    import partnerships.wsgi  # noqa: F401

    # One persistent connection, as a production worker has; the meeting save runs inside a
    # transaction rolled back afterwards, which closing the connection would break.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


def percentile(values, share):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


class Subjects:
    """What the pages are measured on, chosen the same way at every scale."""

    def __init__(self):
        from django.db.models import Count, IntegerField, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        from actions.models import ActionPlan
        from bodies.models import Body, Department, Membership
        from meetings.models import Commitment, Meeting

        def counted(qs):
            return Coalesce(
                Subquery(
                    qs.order_by().values("body_id").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )

        held = Meeting.objects.filter(status=Meeting.Status.HELD)
        bodies = (
            Body.objects.filter(pk__in=held.values("body_id"))
            .annotate(
                members=counted(Membership.objects.current().filter(body=OuterRef("pk"))),
                open_commitments=counted(
                    Commitment.objects.filter(body=OuterRef("pk"), status=Commitment.Status.OPEN)
                ),
            )
            .order_by()
        )
        rows = list(bodies.values_list("pk", "members", "open_commitments"))
        best = min(
            rows,
            key=lambda r: (abs(r[1] - MEMBERS) * 2 + abs(r[2] - OPEN_COMMITMENTS), r[0]),
        )
        self.body = Body.objects.select_related("department").get(pk=best[0])
        self.members, self.open_commitments = best[1], best[2]
        self.meeting = held.filter(body=self.body).order_by("-starts_at", "-pk").first()
        by_size = list(Department.objects.annotate(n=Count("bodies")).order_by("-n", "code"))
        self.department = by_size[0]
        self.median_department = by_size[len(by_size) // 2]
        plans = ActionPlan.objects.filter(status=ActionPlan.Status.ADOPTED)
        self.plan = (
            plans.filter(body=self.body).order_by("-starts_on", "-pk").first()
            or plans.filter(body__department=self.department)
            .annotate(n=Count("actions"))
            .order_by("-n", "pk")
            .first()
        )
        self.place_word = (self.meeting.place or self.body.name).split()[-1]
        self.person_name = "Benali"
        self.commitment_word = "rodéos"

    def describe(self) -> dict:
        return {
            "body": self.body.pk,
            "body_name": self.body.name,
            "members": self.members,
            "open_commitments": self.open_commitments,
            "meeting": self.meeting.pk,
            "attendance_rows": self.meeting.attendances.count(),
            "department": self.department.code,
            "median_department": self.median_department.code,
            "plan": self.plan.pk if self.plan else None,
        }


def users(subjects):
    """The benchmark's accounts (created once per database): an administrator, prefecture
    staff of the dashboard's département, national staff, a coordinator of the body."""
    from django.contrib.auth import get_user_model

    from bodies.models import RoleAssignment

    User = get_user_model()
    made = {}
    since = datetime.date(2000, 1, 1)
    for role, username in BENCH_USERS.items():
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"is_superuser": role == "admin", "is_staff": role == "admin"},
        )
        made[role] = user
    assignments = {
        "prefecture": {"department": subjects.department},
        "national": {},
        "coordinator": {"body": subjects.body},
    }
    for role, scope in assignments.items():
        user = made[role]
        if scope:  # one scope only: the département or body chosen this time
            RoleAssignment.objects.filter(user=user).exclude(**scope).delete()
        RoleAssignment.objects.get_or_create(
            user=user,
            role=getattr(RoleAssignment.Role, role.upper()),
            **scope,
            defaults={"started_on": since},
        )
    return made


def pages(subjects):
    """(name, role or None for anonymous, url)."""
    from django.urls import reverse

    body, meeting, code = subjects.body, subjects.meeting, subjects.department.code
    found = [
        ("county_dashboard", "prefecture", reverse("dashboard:county", args=[code])),
        (
            "county_dashboard_median",
            "national",
            reverse("dashboard:county", args=[subjects.median_department.code]),
        ),
        ("national_overview", "national", reverse("dashboard:national")),
        ("directory", None, reverse("bodies:body-list")),
        (
            "directory_filtered",
            None,
            reverse("bodies:body-list") + f"?department={code}&type=CLSPD&status=active"
            "&o=-last_held_on",
        ),
        ("body_page", "coordinator", reverse("bodies:body-detail", args=[body.pk])),
        ("body_page_public", None, reverse("bodies:body-detail", args=[body.pk])),
        ("meeting_page", "coordinator", reverse("meetings:meeting-detail", args=[meeting.pk])),
        ("meeting_edit", "coordinator", reverse("meetings:meeting-edit", args=[meeting.pk])),
        ("meeting_edit_admin", "admin", reverse("meetings:meeting-edit", args=[meeting.pk])),
        ("meeting_new", "coordinator", reverse("meetings:meeting-create", args=[body.pk])),
        ("meeting_new_admin", "admin", reverse("meetings:meeting-create", args=[body.pk])),
        ("commitments_list", "national", reverse("meetings:commitment-list")),
        (
            "commitments_list_filtered",
            None,
            reverse("meetings:commitment-list") + f"?department={code}&state=overdue",
        ),
        (
            "admin_membership_search",
            "admin",
            reverse("admin:bodies_membership_changelist") + f"?q={subjects.person_name}",
        ),
        ("admin_person_search", "admin", reverse("admin:bodies_person_changelist") + "?q=nadia"),
        (
            "admin_commitment_search",
            "admin",
            reverse("admin:meetings_commitment_changelist") + f"?q={subjects.commitment_word}",
        ),
        ("admin_commitment_list", "admin", reverse("admin:meetings_commitment_changelist")),
        (
            "admin_meeting_search",
            "admin",
            reverse("admin:meetings_meeting_changelist") + f"?q={subjects.place_word}",
        ),
        ("admin_meeting_list", "admin", reverse("admin:meetings_meeting_changelist")),
        (
            "admin_meeting_change",
            "admin",
            reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        ),
        (
            "admin_body_change",
            "admin",
            reverse("admin:bodies_body_change", args=[body.pk]),
        ),
        ("oparl_list", None, reverse("oparl:body-meetings", args=[code])),
        ("oparl_people", None, reverse("oparl:body-people", args=[code])),
    ]
    if subjects.plan is not None:
        found.insert(7, ("plan_page", "coordinator", subjects.plan.get_absolute_url()))
        found.append(
            (
                "admin_plan_change",
                "admin",
                reverse("admin:actions_actionplan_change", args=[subjects.plan.pk]),
            )
        )
    commitment = subjects.meeting.commitments.order_by("pk").first()
    if commitment is not None:
        found.append(
            (
                "admin_commitment_change",
                "admin",
                reverse("admin:meetings_commitment_change", args=[commitment.pk]),
            )
        )
    return [(name, role, url) for name, role, url in found if url]


def clients(made):
    from django.test import Client

    found = {None: Client()}
    for role, user in made.items():
        client = Client()
        client.force_login(user)
        found[role] = client
    return found


def timed(client, url, warmup, repeat, budget):
    """Latencies in ms after `warmup` requests; fewer repeats for a slow page."""
    started = time.perf_counter()
    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        if time.perf_counter() - started > budget:
            break
    first = (time.perf_counter() - started) / max(1, warmup)
    count = max(3, min(repeat, int(budget / max(first, 1e-3))))
    samples = []
    for _ in range(count):
        tick = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - tick) * 1000)
    return samples


def queries_of(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured), len(response.content)


def measure_pages(subjects, made, only=None):
    warmup = int(os.environ.get("BENCH_WARMUP", "2"))
    repeat = int(os.environ.get("BENCH_REPEAT", "20"))
    budget = float(os.environ.get("BENCH_PAGE_BUDGET", "20"))
    by_role = clients(made)
    results = {}
    for name, role, url in pages(subjects):
        if only and name not in only:
            continue
        client = by_role[role]
        samples = timed(client, url, warmup, repeat, budget)
        queries, size = queries_of(client, url)
        results[name] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 0.95), 1),
            "queries": queries,
            "kb": round(size / 1024),
            "n": len(samples),
            "url": url,
        }
        print(
            f"  {name:28} p50 {results[name]['p50_ms']:8.1f} ms  p95 "
            f"{results[name]['p95_ms']:8.1f} ms  {queries:4d} requêtes  "
            f"{results[name]['kb']:5d} Ko  (n={len(samples)})",
            file=sys.stderr,
            flush=True,
        )
    return results


def save_data(client, subjects):
    """What the coordinator posts to save the body's latest meeting: every expected member
    present, `SAVE_COMMITMENTS` commitment rows, the follow-ups answered (a third done, a
    third dropped, a third kept open)."""
    from django.urls import reverse

    from tests.browserless import form_data

    url = reverse("meetings:meeting-edit", args=[subjects.meeting.pk])
    data = form_data(client.get(url).content.decode())
    attendance = int(data["attendance-TOTAL_FORMS"])
    for i in range(attendance):
        data[f"attendance-{i}-status"] = "present"
        data[f"attendance-{i}-represented_by"] = ""
    existing = sum(1 for key in data if key.startswith("commitments-") and key.endswith("-id"))
    recorded = [
        i for i in range(existing) if data.get(f"commitments-{i}-id")
    ]  # rows of saved commitments
    institution = subjects.meeting.attendances.exclude(institution=None).first().institution_id
    due = (subjects.meeting.starts_at + datetime.timedelta(days=90)).date().isoformat()
    rows = max(SAVE_COMMITMENTS, len(recorded))
    for i in range(len(recorded), rows):
        data[f"commitments-{i}-id"] = ""
        data[f"commitments-{i}-owner_institution"] = str(institution)
        data[f"commitments-{i}-owner_person"] = ""
        data[f"commitments-{i}-description"] = f"Engagement de banc {i}"
        data[f"commitments-{i}-due_on"] = due
        data[f"commitments-{i}-confidentiality"] = ""
        data[f"commitments-{i}-action"] = ""
    data["commitments-TOTAL_FORMS"] = str(rows)
    follow_ups = int(data.get("follow_ups-TOTAL_FORMS", 0))
    for i in range(follow_ups):
        data[f"follow_ups-{i}-outcome"] = ("done", "dropped", "kept_open")[i % 3]
    return (
        url,
        data,
        {
            "attendance_rows": attendance,
            "commitments": rows,
            "follow_ups": follow_ups,
        },
    )


def measure_save(subjects, made):
    """The coordinator saves the meeting; each save is rolled back, so that every one writes
    the same rows."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    client = clients({"coordinator": made["coordinator"]})["coordinator"]
    url, data, shape = save_data(client, subjects)
    body = urlencode(data, doseq=True)  # as a browser posts a form, not multipart
    repeat = int(os.environ.get("BENCH_REPEAT", "20"))
    samples, queries = [], None
    for n in range(2 + repeat):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                tick = time.perf_counter()
                response = client.post(url, body, content_type=FORM)
                elapsed = (time.perf_counter() - tick) * 1000
            if response.status_code != 302:
                raise RuntimeError(
                    f"meeting save answered {response.status_code}: "
                    + response.content.decode()[:2000]
                )
            transaction.set_rollback(True)
        if n >= 2:
            samples.append(elapsed)
            queries = len(captured)
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "queries": queries,
        **shape,
    }


def main():
    setup()
    only = set(filter(None, os.environ.get("BENCH_PAGES", "").split(",")))
    subjects = Subjects()
    made = users(subjects)
    print(f"  sujets : {subjects.describe()}", file=sys.stderr, flush=True)
    result = {"subjects": subjects.describe(), "pages": measure_pages(subjects, made, only)}
    if not only or "meeting_save" in only:
        result["meeting_save"] = measure_save(subjects, made)
        save = result["meeting_save"]
        print(
            f"  {'meeting_save':28} p50 {save['p50_ms']:8.1f} ms  p95 {save['p95_ms']:8.1f} ms  "
            f"{save['queries']:4d} requêtes",
            file=sys.stderr,
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
