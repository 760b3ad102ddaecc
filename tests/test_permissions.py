"""The permission matrix: every URL pattern of the URL configuration × every role × own and
other scope → the expected answer.

The URL list is read from the resolver, so a new URL without an expectation here fails
`test_every_url_pattern_has_an_expectation`. Expectations for the administration come from
`ADMIN_RULES`, one row per registered model: a newly registered model fails until it has one.

Answers: 200 page; 302 redirect (to the login page for those who may not enter); 403 signed
in, in scope, not allowed; 404 out of scope or nonexistent (existence is not revealed);
405 wrong method.
"""

import re
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mail.sending import unsubscribe_token
from partnerships.oparl.people import api_identifier
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

ALL = frozenset({"own", "other"})
OWN = frozenset({"own"})
NONE = frozenset()
STAFF = ("admin", "prefecture", "coordinator")


@dataclass(frozen=True)
class Rule:
    """What a staff role may do with a model in the administration, by scope."""

    module: bool = True  # opens the list
    view: frozenset = NONE
    change: frozenset = NONE
    add: bool = False
    delete: frozenset = NONE
    history: frozenset = NONE
    transfer: bool = False  # import and export (models with django-import-export only)


EVERYTHING = Rule(view=ALL, change=ALL, add=True, delete=ALL, history=ALL, transfer=True)
READ_ONLY_TERRITORY = Rule(view=ALL, history=ALL)  # Django's log-entry history, public data
ADMINISTRATORS_ONLY = Rule(module=False)
PLAN_WRITER = Rule(view=OWN, change=OWN, add=True, delete=OWN)
LOGS = Rule(view=ALL, change=ALL, delete=ALL, history=ALL)  # django-axes: no manual add

ADMIN_RULES = {
    "bodies.region": {"prefecture": READ_ONLY_TERRITORY, "coordinator": READ_ONLY_TERRITORY},
    "bodies.department": {"prefecture": READ_ONLY_TERRITORY, "coordinator": READ_ONLY_TERRITORY},
    "bodies.epci": {"prefecture": READ_ONLY_TERRITORY, "coordinator": READ_ONLY_TERRITORY},
    "bodies.commune": {"prefecture": READ_ONLY_TERRITORY, "coordinator": READ_ONLY_TERRITORY},
    "bodies.institution": {
        "prefecture": Rule(view=OWN, change=OWN, add=True, delete=OWN, history=OWN, transfer=True),
        "coordinator": Rule(view=OWN),  # picks the institutions of its département
    },
    "bodies.person": {  # history shows the linked account: administrators only
        "prefecture": Rule(view=OWN, change=OWN, add=True, transfer=True),
        "coordinator": Rule(view=OWN, change=OWN, add=True, transfer=True),
    },
    "bodies.body": {
        "prefecture": Rule(view=OWN, change=OWN, add=True, history=OWN, transfer=True),
        "coordinator": Rule(view=OWN),  # reads its bodies; imports and exports none
    },
    "bodies.membership": {
        "prefecture": Rule(view=OWN, change=OWN, add=True, delete=OWN, history=OWN, transfer=True),
        "coordinator": Rule(view=OWN, change=OWN, add=True, delete=OWN, transfer=True),
    },
    "bodies.site": {
        "prefecture": Rule(view=OWN, change=OWN, add=True, delete=OWN, history=OWN, transfer=True),
        "coordinator": ADMINISTRATORS_ONLY,
    },
    "bodies.roleassignment": {
        "prefecture": ADMINISTRATORS_ONLY,
        "coordinator": ADMINISTRATORS_ONLY,
    },
    "meetings.meeting": {"prefecture": ADMINISTRATORS_ONLY, "coordinator": ADMINISTRATORS_ONLY},
    "meetings.commitment": {"prefecture": ADMINISTRATORS_ONLY, "coordinator": ADMINISTRATORS_ONLY},
    # Plans are written by the coordinators of their bodies; prefecture staff read them on
    # the registry's pages, where diagnostics follow their level.
    "actions.actionplan": {"prefecture": ADMINISTRATORS_ONLY, "coordinator": PLAN_WRITER},
    "actions.action": {"prefecture": ADMINISTRATORS_ONLY, "coordinator": PLAN_WRITER},
    "actions.indicator": {"prefecture": ADMINISTRATORS_ONLY, "coordinator": PLAN_WRITER},
    "actions.measurement": {
        "prefecture": ADMINISTRATORS_ONLY,
        "coordinator": Rule(view=OWN, change=OWN, add=True, delete=OWN, transfer=True),
    },
    "auth.user": {"prefecture": ADMINISTRATORS_ONLY, "coordinator": ADMINISTRATORS_ONLY},
    "axes.accessattempt": {
        "admin": LOGS,
        "prefecture": ADMINISTRATORS_ONLY,
        "coordinator": ADMINISTRATORS_ONLY,
    },
    "axes.accesslog": {
        "admin": LOGS,
        "prefecture": ADMINISTRATORS_ONLY,
        "coordinator": ADMINISTRATORS_ONLY,
    },
    "axes.accessfailurelog": {
        "admin": LOGS,
        "prefecture": ADMINISTRATORS_ONLY,
        "coordinator": ADMINISTRATORS_ONLY,
    },
}

RESTRICTED_TO_MEMBER = {
    "anonymous": 404,
    "admin": 200,
    "prefecture": 404,
    "coordinator": 404,
    "member": 200,
    "researcher": 404,
    "national": 404,
}

# Pages that write a body's records (meetings, plans): its coordinators and administrators.
WRITER_OF_OWN_BODY = {
    "anonymous": 302,
    "admin": 200,
    "prefecture": 403,
    "coordinator": 200,
    "member": 403,
    "researcher": 403,
    "national": 403,
}

PLAN_WRITING = {
    "own": WRITER_OF_OWN_BODY,
    "other": {**RESTRICTED_TO_MEMBER, "anonymous": 302, "member": 403},
}

# Dashboards: own is Isère (the prefecture's), other is Rhône.
COUNTY_DASHBOARD = {
    "own": {
        "anonymous": 302,
        "admin": 200,
        "prefecture": 200,
        "coordinator": 404,
        "member": 404,
        "researcher": 404,
        "national": 200,
    },
    "other": {
        "anonymous": 302,
        "admin": 200,
        "prefecture": 404,
        "coordinator": 404,
        "member": 404,
        "researcher": 404,
        "national": 200,
    },
}

# A body's composition: its coordinators and its département's prefecture staff.
COMPOSITION = {
    "own": {
        **dict.fromkeys(ROLES, 403),
        "anonymous": 302,
        "admin": 200,
        "prefecture": 200,
        "coordinator": 200,
    },
    "other": {**dict.fromkeys(ROLES, 403), "anonymous": 302, "admin": 200},
}

# Site pages (not the administration): role → answer, the same in both scopes.
SITE_EXPECTATIONS = {
    "home": dict.fromkeys(ROLES, 200),
    "bodies:body-list": dict.fromkeys(ROLES, 200),
    "bodies:body-detail": dict.fromkeys(ROLES, 200),  # the directory is public
    "login": dict.fromkeys(ROLES, 200),
    "logout": dict.fromkeys(ROLES, 405),  # POST only
    "set_language": dict.fromkeys(ROLES, 302),
    # own: a partners-only formation of body A; other: the GLTD's restricted meeting, which
    # person A (the member) attended
    "meetings:body-calendar": dict.fromkeys(ROLES, 200),  # each gets what it may read
    "meetings:body-meetings": dict.fromkeys(ROLES, 200),  # the archive: the same
    "meetings:commitment-list": dict.fromkeys(ROLES, 200),  # what each may read
    "meetings:meeting-create": {  # own: body A; other: body B
        "own": WRITER_OF_OWN_BODY,
        "other": {
            "anonymous": 302,
            "admin": 200,
            "prefecture": 403,
            "coordinator": 403,
            "member": 403,
            "researcher": 403,
            "national": 403,
        },
    },
    "meetings:meeting-edit": {  # own: body A's public plenary; other: the GLTD's restricted one
        "own": WRITER_OF_OWN_BODY,
        "other": {
            "anonymous": 404,
            "admin": 200,
            "prefecture": 404,
            "coordinator": 404,
            "member": 403,
            "researcher": 404,
            "national": 404,
        },
    },
    # « Envoyer la convocation » (issue 14): own is body A's partners-only formation, other
    # the GLTD's restricted meeting; those who may read it but not convene get 403
    "meetings:meeting-convocation": {
        "own": {
            "anonymous": 404,
            "admin": 200,
            "prefecture": 403,
            "coordinator": 200,
            "member": 403,
            "researcher": 404,
            "national": 403,
        },
        "other": {
            "anonymous": 404,
            "admin": 200,
            "prefecture": 404,
            "coordinator": 404,
            "member": 403,
            "researcher": 404,
            "national": 404,
        },
    },
    "meetings:meeting-detail": {
        "own": {
            "anonymous": 404,
            "admin": 200,
            "prefecture": 200,
            "coordinator": 200,
            "member": 200,
            "researcher": 404,
            "national": 200,  # partners-level records everywhere
        },
        "other": {
            "anonymous": 404,
            "admin": 200,
            "prefecture": 404,
            "coordinator": 404,
            "member": 200,
            "researcher": 404,
            "national": 404,  # never restricted ones
        },
    },
    # own: body A's public adopted plan and its action; other: the GLTD's restricted plan,
    # whose body person A (the member) sits in
    "actions:plan-detail": {"own": dict.fromkeys(ROLES, 200), "other": RESTRICTED_TO_MEMBER},
    "actions:action-detail": {"own": dict.fromkeys(ROLES, 200), "other": RESTRICTED_TO_MEMBER},
    # the same two plans: only their writers enter measurements or import
    "actions:plan-measurements": PLAN_WRITING,
    "actions:plan-ssmsi": PLAN_WRITING,
    # writing plans, actions and indicators on the registry's pages (issue 13): own is body
    # A's plan (and its action and indicator), other the GLTD's restricted plan (and action)
    "actions:plan-create": {  # own: body A; other: body B (bodies are public: 403)
        "own": WRITER_OF_OWN_BODY,
        "other": {**dict.fromkeys(ROLES, 403), "anonymous": 302, "admin": 200},
    },
    "actions:plan-edit": PLAN_WRITING,
    "actions:action-create": PLAN_WRITING,
    "actions:action-edit": PLAN_WRITING,
    "actions:indicator-create": PLAN_WRITING,
    "actions:indicator-edit": {  # other: Lyon's public indicator, read by all, written by none
        "own": WRITER_OF_OWN_BODY,
        "other": {**dict.fromkeys(ROLES, 403), "anonymous": 302, "admin": 200},
    },
    "actions:plan-adopt": {  # own: body A's draft (read by its writers and the prefecture)
        "own": {**WRITER_OF_OWN_BODY, "member": 404, "researcher": 404, "national": 404},
        "other": PLAN_WRITING["other"],
    },
    # a body's « Composition » (issue 13): own is body A (and its seat), other body B (and
    # its seat, in Rhône); bodies and their composition by institution are public: 403
    "bodies:body-composition": COMPOSITION,
    "bodies:seat-add": COMPOSITION,
    "bodies:seat-replace": COMPOSITION,
    "bodies:seat-end": COMPOSITION,
    "dashboard:county": COUNTY_DASHBOARD,
    "dashboard:national": dict.fromkeys(ROLES, 200),  # public figures for all, more for some
    "workspace": {**dict.fromkeys(ROLES, 200), "anonymous": 302},  # an empty state for some
    "after-login": {**dict.fromkeys(ROLES, 302)},  # each to its own page
    # open data: every reader downloads what it may read (the leak test reads them all)
    "exports:catalogue": dict.fromkeys(ROLES, 200),
    "exports:datapackage": dict.fromkeys(ROLES, 200),
    "exports:download": dict.fromkeys(ROLES, 200),
    "exports:dictionary": dict.fromkeys(ROLES, 200),
    "exports:directory": dict.fromkeys(ROLES, 200),
    "exports:commitments-list": dict.fromkeys(ROLES, 200),
    "exports:dump": dict.fromkeys(ROLES, 404),  # none written in the test world
    # The OParl API serves everyone what an anonymous visitor reads: public records only.
    **dict.fromkeys(
        (
            "oparl:system",
            "oparl:body-list",
            "oparl:body",
            "oparl:body-organizations",
            "oparl:body-people",
            "oparl:body-memberships",
            "oparl:body-meetings",
            "oparl:body-agenda-items",
            "oparl:body-locations",
            "oparl:body-papers",
            "oparl:body-files",
            "oparl:body-consultations",
            "oparl:body-legislative-terms",
            "oparl:organization",
            "oparl:organization-meetings",
            "oparl:institution",
            "oparl:person",
            "oparl:membership",
        ),
        dict.fromkeys(ROLES, 200),
    ),
    # own: the public plenary (its agenda item, its place); other: the GLTD's restricted
    # meeting — absent from the API for every role, its members and administrators included
    **{
        label: {"own": dict.fromkeys(ROLES, 200), "other": dict.fromkeys(ROLES, 404)}
        for label in ("oparl:meeting", "oparl:agenda-item", "oparl:location")
    },
    "oparl:not-found": dict.fromkeys(ROLES, 404),  # any other path under the API
    # an e-mail's « ne plus recevoir » link (issue 14): own is a token signed here for person
    # A's address, other one whose signature does not match — the token is the only key
    "mail:unsubscribe": {"own": dict.fromkeys(ROLES, 200), "other": dict.fromkeys(ROLES, 404)},
    # one's private calendar feed (issue 14): the page to create and revoke it, for the signed
    # in; the feed itself, read with its token and no session — own is the member's, other a
    # token that was never issued
    "meetings:calendar-feed": {**dict.fromkeys(ROLES, 200), "anonymous": 302},
    "meetings:private-calendar": {
        "own": dict.fromkeys(ROLES, 200),
        "other": dict.fromkeys(ROLES, 404),
    },
}

# The minutes as a page to print and as an .odt (issue 14): whoever reads the meeting; and
# marking them approved at a later meeting: those who convene it.
SITE_EXPECTATIONS["meetings:meeting-minutes"] = SITE_EXPECTATIONS["meetings:meeting-detail"]
SITE_EXPECTATIONS["meetings:meeting-minutes-odt"] = SITE_EXPECTATIONS["meetings:meeting-detail"]
SITE_EXPECTATIONS["meetings:meeting-minutes-approve"] = SITE_EXPECTATIONS[
    "meetings:meeting-convocation"
]

# Administration pages that belong to no model: role → answer.
NOT_STAFF = {"anonymous": 302, "member": 302, "researcher": 302, "national": 302}
ADMIN_SITE_EXPECTATIONS = {
    "admin:index": {**NOT_STAFF, **dict.fromkeys(STAFF, 200)},
    "admin:login": {
        "anonymous": 302,
        "member": 403,
        "researcher": 403,
        "national": 403,
        **dict.fromkeys(STAFF, 302),
    },
    "admin:logout": {**NOT_STAFF, **dict.fromkeys(STAFF, 405)},
    "admin:password_change": {**NOT_STAFF, **dict.fromkeys(STAFF, 200)},
    "admin:password_change_done": {**NOT_STAFF, **dict.fromkeys(STAFF, 200)},
    "admin:autocomplete": {**NOT_STAFF, **dict.fromkeys(STAFF, 403)},  # no parameters
    "admin:jsi18n": {**NOT_STAFF, **dict.fromkeys(STAFF, 200)},
    "admin:view_on_site": {**NOT_STAFF, **dict.fromkeys(STAFF, 302)},  # to the public page
    "admin:app_list": {**NOT_STAFF, **dict.fromkeys(STAFF, 200)},
    "admin:<object>": {**NOT_STAFF, **dict.fromkeys(STAFF, 302)},  # redirect to change view
    "admin:<catch-all>": {**NOT_STAFF, **dict.fromkeys(STAFF, 404)},
}

ADMIN_VIEWS = (
    "simple_history",
    "password_change",
    "process_import",
    "import",
    "export",
    "changelist",
    "add",
    "change",
    "delete",
    "history",
)  # longest suffixes first


def walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(pattern, prefix + str(pattern.pattern), full_ns)
        else:
            assert isinstance(pattern, URLPattern)
            yield namespace, pattern, prefix + str(pattern.pattern)


def classify(namespace, pattern, route):
    """('site', name) | ('admin-site', name) | ('admin-model', model label, view)."""
    name = pattern.name
    if namespace != "admin":
        return ("site", f"{namespace}:{name}" if namespace else name)
    if name is None:
        if route.endswith("(?P<url>.*)$"):
            return ("admin-site", "admin:<catch-all>")
        return ("admin-site", "admin:<object>")
    for view in ADMIN_VIEWS:
        match = re.fullmatch(rf"(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_{view}", name)
        if match:
            return ("admin-model", f"{match['app']}.{match['model']}", view)
    return ("admin-site", f"admin:{name}")


def all_urls():
    return [(ns, p, route, classify(ns, p, route)) for ns, p, route in walk()]


def test_every_url_pattern_has_an_expectation():
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered == set(ADMIN_RULES), "a registered admin model has no rule (or vice versa)"
    missing = []
    for _ns, _pattern, route, kind in all_urls():
        if kind[0] == "site" and kind[1] not in SITE_EXPECTATIONS:
            missing.append(route)
        if kind[0] == "admin-site" and kind[1] not in ADMIN_SITE_EXPECTATIONS:
            missing.append(route)
        if kind[0] == "admin-model" and kind[1] not in ADMIN_RULES:
            missing.append(route)
    assert not missing, f"URLs without an expectation: {missing}"


# -- building concrete URLs ------------------------------------------------------------


@dataclass
class Objects:
    by_label: dict = field(default_factory=dict)


def objects(world):
    attempt = AccessAttempt.objects.create(
        username="x",
        ip_address="127.0.0.1",
        user_agent="t",
        http_accept="*/*",
        path_info="/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    log = AccessLog.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="t", http_accept="*/*", path_info="/"
    )
    failure = AccessFailureLog.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="t", http_accept="*/*", path_info="/"
    )
    region = world.isere.region
    return {
        "bodies.region": (region, region),
        "bodies.department": (world.isere, world.rhone),
        "bodies.epci": (world.epci_a, world.epci_b),
        "bodies.commune": (world.grenoble, world.lyon),
        "bodies.institution": (world.inst_a, world.inst_b),
        "bodies.person": (world.person_a, world.person_b),
        "bodies.body": (world.body_a, world.body_b),
        "bodies.membership": (world.membership_a, world.membership_b),
        "bodies.site": (world.site_a, world.site_b),
        "bodies.roleassignment": (world.assignment_coordinator, world.assignment_prefecture),
        "meetings.meeting": (world.meeting_a, world.meeting_b),
        "meetings.commitment": (world.commitment_a, world.commitment_b),
        "actions.actionplan": (world.plan_a, world.plan_b),
        "actions.action": (world.action_a, world.action_b),
        "actions.indicator": (world.indicator_a, world.indicator_b),
        "actions.measurement": (world.measurement_a, world.measurement_b),
        "auth.user": (world.users["prefecture"], world.users["coordinator"]),
        "axes.accessattempt": (attempt, attempt),
        "axes.accesslog": (log, log),
        "axes.accessfailurelog": (failure, failure),
    }


def url_for(namespace, pattern, kind, scope, world, objs):
    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
    if kind[0] == "site":
        if kind[1] == "bodies:body-detail":
            return reverse(name, args=[(world.body_a if scope == "own" else world.body_b).pk])
        if kind[1] in (
            "meetings:meeting-create",
            "meetings:body-calendar",
            "meetings:body-meetings",
        ):
            return reverse(name, args=[(world.body_a if scope == "own" else world.body_b).pk])
        if kind[1] == "meetings:meeting-edit":
            meeting = world.meeting_a if scope == "own" else world.restricted_meeting
            return reverse(name, args=[meeting.pk])
        if kind[1] in (
            "actions:plan-detail",
            "actions:plan-measurements",
            "actions:plan-ssmsi",
            "actions:plan-edit",
            "actions:action-create",
            "actions:indicator-create",
        ):
            return reverse(name, args=[(world.plan_a if scope == "own" else world.gltd_plan).pk])
        if kind[1] == "actions:plan-adopt":
            plan = world.draft_plan_a if scope == "own" else world.gltd_plan
            return reverse(name, args=[plan.pk])
        if kind[1] in ("bodies:body-composition", "bodies:seat-add"):
            return reverse(name, args=[(world.body_a if scope == "own" else world.body_b).pk])
        if kind[1] in ("bodies:seat-replace", "bodies:seat-end"):
            seat = world.membership_a if scope == "own" else world.membership_b
            return reverse(name, args=[seat.pk])
        if kind[1] == "actions:plan-create":
            return reverse(name, args=[(world.body_a if scope == "own" else world.body_b).pk])
        if kind[1] in ("actions:action-detail", "actions:action-edit"):
            action = world.action_a if scope == "own" else world.gltd_action
            return reverse(name, args=[action.pk])
        if kind[1] in ("exports:download", "exports:dictionary"):
            return reverse(name, args=["meetings" if scope == "own" else "commitments"])
        if kind[1] == "exports:dump":
            return reverse(name, args=["2026-01-01"])
        if kind[1] == "actions:indicator-edit":
            indicator = world.indicator_a if scope == "own" else world.indicator_b
            return reverse(name, args=[indicator.pk])
        if kind[1] == "dashboard:county":
            return reverse(name, args=[(world.isere if scope == "own" else world.rhone).code])
        if kind[1].startswith("oparl:"):
            return oparl_url(name, kind[1], scope, world)
        if kind[1] == "meetings:private-calendar":
            return reverse(name, args=[member_feed_token(world) if scope == "own" else "x" * 43])
        if kind[1] == "mail:unsubscribe":
            token = unsubscribe_token(world.person_a.email, "convocation")
            return reverse(name, args=[token if scope == "own" else token[:-2] + "xx"])
        if kind[1] in (
            "meetings:meeting-detail",
            "meetings:meeting-convocation",
            "meetings:meeting-minutes",
            "meetings:meeting-minutes-odt",
            "meetings:meeting-minutes-approve",
        ):
            meeting = world.partners_meeting_a if scope == "own" else world.restricted_meeting
            return reverse(name, args=[meeting.pk])
        return reverse(name)
    if kind[0] == "admin-site":
        body = world.body_a if scope == "own" else world.body_b
        if kind[1] == "admin:view_on_site":
            return reverse(name, args=[ContentType.objects.get_for_model(body).pk, body.pk])
        if kind[1] == "admin:app_list":
            return reverse(name, kwargs={"app_label": "bodies"})
        if kind[1] == "admin:<object>":
            return f"/admin/bodies/body/{body.pk}/"
        if kind[1] == "admin:<catch-all>":
            return "/admin/no/such/page/"
        return reverse(name)
    label, view = kind[1], kind[2]
    obj = objs[label][0 if scope == "own" else 1]
    if view in ("changelist", "add", "import", "process_import", "export"):
        return reverse(name)
    if view == "simple_history":
        version = obj.history.latest().history_id
        return reverse(name, args=[obj.pk, version])
    if view == "password_change":
        return reverse(name, args=[obj.pk])
    return reverse(name, args=[obj.pk])


def member_feed_token(world) -> str:
    """The member's private calendar token (its hash stored, as the page stores it)."""
    import hashlib

    from meetings.models import CalendarFeed

    token = "member-feed-token-for-the-matrix-0123456789"
    CalendarFeed.objects.update_or_create(
        user=world.users["member"],
        defaults={"token_hash": hashlib.sha256(token.encode()).hexdigest()},
    )
    return token


def oparl_url(name, label, scope, world):
    own = scope == "own"
    if label == "oparl:body" or (label.startswith("oparl:body-") and label != "oparl:body-list"):
        return reverse(name, args=[(world.isere if own else world.rhone).code])
    objects_by_label = {
        "oparl:organization": (world.body_a, world.body_b),
        "oparl:organization-meetings": (world.body_a, world.body_b),
        "oparl:institution": (world.inst_a, world.inst_b),
        "oparl:membership": (world.membership_a, world.membership_b),
        "oparl:meeting": (world.meeting_a, world.restricted_meeting),
        "oparl:location": (world.meeting_a, world.restricted_meeting),
        "oparl:agenda-item": (world.agenda_item_a, world.restricted_agenda_item),
    }
    if label in objects_by_label:
        return reverse(name, args=[objects_by_label[label][0 if own else 1].pk])
    if label == "oparl:person":
        return reverse(name, args=[api_identifier((world.person_a if own else world.person_b).pk)])
    if label == "oparl:not-found":
        return reverse(name, args=["no/such/object/"])
    return reverse(name)


def expected(role, kind, scope):
    if kind[0] == "site":
        expectation = SITE_EXPECTATIONS[kind[1]]
        return (expectation[scope] if "own" in expectation else expectation)[role]
    if kind[0] == "admin-site":
        return ADMIN_SITE_EXPECTATIONS[kind[1]][role]
    if role not in STAFF:
        return 302
    label, view = kind[1], kind[2]
    rule = ADMIN_RULES[label].get(role, EVERYTHING)  # administrators: everything by default
    if view == "changelist":
        return 200 if rule.module else 403
    if view == "add":
        return 200 if rule.add else 403
    if view in ("import", "export"):
        return 200 if rule.transfer else 403
    if view == "process_import":
        return 405  # POST only, before any permission check
    if scope not in rule.view:
        return 404
    if view == "change":
        return 200
    if view == "delete":
        return 200 if scope in rule.delete else 403
    if view == "password_change":  # auth.user only
        return 200
    return 200 if scope in rule.history else 403  # history, simple_history


def test_permission_matrix(world, login):
    objs = objects(world)
    urls = all_urls()
    failures = []
    checked = 0
    for role in ROLES:
        client = login(world, role)
        for namespace, pattern, _route, kind in urls:
            for scope in ("own", "other"):
                url = url_for(namespace, pattern, kind, scope, world, objs)
                answer = client.get(url).status_code
                want = expected(role, kind, scope)
                checked += 1
                if answer != want:
                    failures.append(f"{role:11} {scope:5} {url:55} got {answer}, expected {want}")
    assert not failures, f"{len(failures)} of {checked} answers differ:\n" + "\n".join(failures)
