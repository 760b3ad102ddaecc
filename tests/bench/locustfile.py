"""The load of `make loadtest` (tests/bench/loadtest.py starts locust on it, headless): public
visitors on the directory (with filters), body pages and meeting pages, prefecture staff on
their own département's county dashboard (signed in) and its attendance export. What it
requests comes from the plan file `LOADTEST_PLAN` (JSON written by `loadtest.py plan`); every
failure is also written, with its start and end times, to `LOADTEST_FAILURES` (one JSON object
a line), so that the ones the database kill caused can be told from the others."""

import json
import os
import random
import time

from locust import HttpUser, between, events, task

with open(os.environ["LOADTEST_PLAN"], encoding="utf-8") as handle:
    PLAN = json.load(handle)
FAILURES = os.environ["LOADTEST_FAILURES"]
# Seconds a user waits between two pages (reading the one it got): 2 to 8 by default, so
# that 50 users ask about ten pages a second.
WAIT = between(*(float(s) for s in os.environ.get("LOADTEST_WAIT", "2 8").split()))


@events.request.add_listener
def record_failure(request_type, name, response_time, response_length, exception, **kwargs):
    if exception is None:
        return
    ended = time.time()
    response = kwargs.get("response")
    with open(FAILURES, "a", encoding="utf-8") as handle:
        handle.write(
            json.dumps(
                {
                    "name": name,
                    "started": ended - response_time / 1000,
                    "ended": ended,
                    "status": getattr(response, "status_code", None),
                    "error": str(exception)[:200],
                }
            )
            + "\n"
        )


class Visitor(HttpUser):
    """A member of the public, a partner or a journalist."""

    weight = 4
    wait_time = WAIT

    @task(3)
    def directory(self):
        department = random.choice(PLAN["departments"])
        kind = random.choice(["", "CLSPD", "CISPD", "CDPD", "GLTD"])
        status = random.choice(["", "active", "dormant"])
        self.client.get(
            f"/bodies/?department={department}&type={kind}&status={status}",
            name="directory (filtres)",
        )

    @task(1)
    def directory_search(self):
        self.client.get(f"/bodies/?q={random.choice(PLAN['words'])}", name="directory (q)")

    @task(3)
    def body(self):
        self.client.get(f"/bodies/{random.choice(PLAN['bodies'])}/", name="body_page")

    @task(3)
    def meeting(self):
        self.client.get(f"/meetings/{random.choice(PLAN['meetings'])}/", name="meeting_page")


class PrefectureStaff(HttpUser):
    """Prefecture staff on their département's dashboard, and its export."""

    weight = 1
    wait_time = WAIT

    def on_start(self):
        # Staff of one of the départements drawn, signed in.
        self.department, session = random.choice(PLAN["prefecture_sessions"])
        self.client.cookies.set(PLAN["session_cookie"], session)

    @task(3)
    def dashboard(self):
        self.client.get(f"/dashboard/{self.department}/", name="county_dashboard")

    @task(1)
    def export(self):
        with self.client.get(
            f"/exports/attendance.csv?department={self.department}&from={PLAN['export_from']}",
            name="export attendance.csv",
            stream=True,
            catch_response=True,
        ) as response:
            try:
                size = sum(len(chunk) for chunk in response.iter_content(65536))
            except Exception as error:  # cut off mid-stream
                response.failure(f"interrupted: {error}")
                return
            if response.status_code == 200 and not size:
                response.failure("empty export")
