"""The level of integration of a partnership body, after the three levels of the research the
registry is built on (domain guide §1): (1) limited — the partners meet and exchange; (2)
intermediate — a few common objectives, some coordination of resources; (3) high — pooled
resources in long-term joint actions and systematic sharing of sensitive information.

The registry cannot observe trust or information sharing; it reads what is recorded. The
rules below are an aid to the prefecture's judgement, not a verdict, and the dashboard says
so next to them. Each level requires the one below it. Computed by the database for every
body of a list in one query (`with_integration`).
"""

import datetime

from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionPlan, FundingLine
from bodies.models import Body, months_before, start_of, today
from meetings.activity import bodies_with_status
from meetings.models import Commitment, Decision, Meeting

# Thresholds, named as the page states them.
MEETINGS_FOR_LEVEL_1 = 2  # held meetings in twelve months
LEADS_FOR_LEVEL_2 = 2  # distinct lead institutions of the body's fiches-actions
OWNERS_FOR_LEVEL_2 = 3  # distinct owner institutions of commitments in twelve months
SOURCES_FOR_LEVEL_3 = 2  # distinct funding sources of the body's fiches-actions

RULES = [
    (
        1,
        _(
            "Niveau 1 (limité) : au moins %(meetings)s réunions tenues en douze mois, et des "
            "décisions consignées."
        )
        % {"meetings": MEETINGS_FOR_LEVEL_1},
    ),
    (
        2,
        _(
            "Niveau 2 (intermédiaire) : le niveau 1, et des fiches-actions pilotées par au "
            "moins %(leads)s institutions, ou des engagements pris en douze mois par au moins "
            "%(owners)s institutions."
        )
        % {"leads": LEADS_FOR_LEVEL_2, "owners": OWNERS_FOR_LEVEL_2},
    ),
    (
        3,
        _(
            "Niveau 3 (élevé) : le niveau 2, et des financements d’au moins %(sources)s "
            "sources, et un groupe restreint (groupe de travail ou GLTD) en activité."
        )
        % {"sources": SOURCES_FOR_LEVEL_3},
    ),
]


def correlated_count(qs, field="pk", distinct=False):
    """A correlated count over `qs` (already filtered on the outer body), as one integer:
    `SELECT COUNT([DISTINCT] field) FROM … WHERE …`, without grouping."""
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    return Coalesce(
        Subquery(
            qs.order_by().annotate(n=Func(F(field), template=template)).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_integration(bodies, on: datetime.date | None = None):
    """`bodies` annotated with the counts the rules read and the resulting `integration`
    level (0 to 3). Every record counts, whatever its confidentiality: the level describes
    the body, not what a reader may read of it."""
    on = on or today()
    since = start_of(months_before(on, 12))
    body = OuterRef("pk")
    held = Meeting.objects.filter(body=body, status=Meeting.Status.HELD, starts_at__gte=since)
    decisions = Decision.objects.filter(
        meeting__body=body, meeting__status=Meeting.Status.HELD, meeting__starts_at__gte=since
    )
    # adopted plans (in force or closed): a draft commits nobody yet
    adopted = [ActionPlan.Status.ADOPTED, ActionPlan.Status.CLOSED]
    actions = Action.objects.filter(plan__body=body, plan__status__in=adopted)
    owners = Commitment.objects.filter(body=body, meeting__starts_at__gte=since)
    sources = FundingLine.objects.filter(action__plan__body=body, action__plan__status__in=adopted)
    restricted_groups = bodies_with_status(
        Body.objects.filter(parent=body, type__in=Body.SUBGROUP_TYPES), on
    ).filter(status=Body.Status.ACTIVE)
    bodies = bodies.annotate(
        held_12m=correlated_count(held),
        decisions_12m=correlated_count(decisions),
        lead_institutions=correlated_count(actions, "lead_institution", distinct=True),
        commitment_owners_12m=correlated_count(owners, "owner_institution", distinct=True),
        funding_sources=correlated_count(sources, "source", distinct=True),
        has_restricted_group=Exists(restricted_groups),
    )
    level_1 = Q(held_12m__gte=MEETINGS_FOR_LEVEL_1, decisions_12m__gte=1)
    level_2 = level_1 & (
        Q(lead_institutions__gte=LEADS_FOR_LEVEL_2)
        | Q(commitment_owners_12m__gte=OWNERS_FOR_LEVEL_2)
    )
    level_3 = level_2 & Q(funding_sources__gte=SOURCES_FOR_LEVEL_3, has_restricted_group=True)
    return bodies.annotate(
        integration=Case(
            When(level_3, then=Value(3)),
            When(level_2, then=Value(2)),
            When(level_1, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
