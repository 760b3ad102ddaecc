"""Action plans of the CLSPDs, CISPDs and CDPDs: three-year periods over the ten years, with
objectives on the national axes, fiches-actions (lead and partners among the body's members,
funding by source and year, milestones), indicators and their measurements.

How much of it a body has depends on its level of integration: a limited partnership often has
no plan, its milestones slip and its indicators stop being measured; a high one plans every
period and keeps its figures up. Indicators move towards their target at their own pace —
on track, behind, or the wrong way — so that progress (`actions.progress`) has every state.
"""

import datetime
import random
from decimal import Decimal

from actions import periods
from actions.models import Action, ActionPlan, FundingLine, Indicator
from bodies.models import Body, Confidentiality, Institution, with_de

from . import tables, vocabulary
from .dates import at
from .layout import BodyPlan

C = Institution.Category
PLAN_TYPES = (Body.Type.CLSPD, Body.Type.CISPD, Body.Type.CDPD)
# Chance that a body adopted a plan for a given period, by level of integration.
PLAN_CHANCE = {1: 0.35, 2: 0.75, 3: 0.95}
ACTIONS_PER_PLAN = {1: (2, 4), 2: (4, 7), 3: (6, 9)}
MILESTONE_KEPT = {1: 0.55, 2: 0.8, 3: 0.93}
LEADS = (C.COMMUNE, C.EPCI, C.PREVENTION, C.NATIONAL_POLICE, C.MUNICIPAL_POLICE, C.PREFECTURE)
SOURCES = {
    Body.Type.CLSPD: ("fipd", "city_contract", "commune", "department", "other"),
    Body.Type.CISPD: ("fipd", "city_contract", "epci", "department", "other"),
    Body.Type.CDPD: ("fipd", "state_other", "department", "other"),
}
PERIOD_BEFORE = {  # the baseline: the period just before the plan starts
    periods.YEARLY: lambda year: datetime.date(year - 1, 1, 1),
    periods.QUARTERLY: lambda year: datetime.date(year - 1, 10, 1),
    periods.MONTHLY: lambda year: datetime.date(year - 1, 12, 1),
}


class Planning:
    def __init__(self, sink, ids, seed: int, today: datetime.date):
        self.sink, self.ids, self.seed, self.today = sink, ids, seed, today
        self.first_year = today.year - 10

    def add_plans(self, body: BodyPlan) -> None:
        if body.type not in PLAN_TYPES:
            return
        rng = random.Random(f"{self.seed}:plans:{body.key}")
        created = body.created_on or datetime.date(2005, 1, 1)
        year = max(created.year + 1, self.first_year - rng.randint(0, 2))
        last_day = body.works_until(self.today) or self.today + datetime.timedelta(days=420)
        while datetime.date(year, 1, 1) <= last_day:
            starts_on, ends_on = datetime.date(year, 1, 1), datetime.date(year + 2, 12, 31)
            year += 3
            if starts_on > self.today:
                if rng.random() < 0.5:  # the next plan, in preparation
                    self.plan(rng, body, starts_on, ends_on, ActionPlan.Status.DRAFT)
                continue
            if rng.random() >= PLAN_CHANCE[body.integration]:
                continue
            adopted_on = starts_on + datetime.timedelta(days=rng.randint(-60, 150))
            if ends_on < self.today:
                status = ActionPlan.Status.CLOSED
            elif adopted_on > self.today or rng.random() < 0.08:
                status = ActionPlan.Status.DRAFT  # never adopted
            else:
                status = ActionPlan.Status.ADOPTED
            self.plan(rng, body, starts_on, ends_on, status, adopted_on)

    def title(self, body: BodyPlan, kind: str, starts_on, ends_on) -> str:
        period = f"{starts_on.year}–{ends_on.year}"
        if body.type == Body.Type.CDPD:
            return (
                f"Plan départemental de prévention de la délinquance {body.area.of_name} {period}"
            )
        if body.epci:
            return (
                f"Stratégie intercommunale de sécurité et de prévention — {body.epci.name} {period}"
            )
        if kind == ActionPlan.Kind.CLS:
            return f"Contrat local de sécurité {with_de(body.commune.name)} {period}"
        return (
            "Stratégie territoriale de sécurité et de prévention de la délinquance "
            f"{with_de(body.commune.name)} {period}"
        )

    def plan(self, rng, body: BodyPlan, starts_on, ends_on, status, adopted_on=None) -> None:
        if body.type == Body.Type.CDPD:
            kind = ActionPlan.Kind.DEPARTMENTAL
        elif starts_on.year < 2014 and rng.random() < 0.5:
            kind = ActionPlan.Kind.CLS
        else:
            kind = ActionPlan.Kind.STSPD
        if status == ActionPlan.Status.DRAFT:
            adopted_on = None
        confidentiality = Body(type=body.type).default_confidentiality
        if rng.random() < 0.1:
            confidentiality = Confidentiality.PARTNERS
        diagnostic_level = (
            Confidentiality.RESTRICTED if rng.random() < 0.1 else Confidentiality.PARTNERS
        )
        themes = [vocabulary.TOPICS[i][0].lower() for i in vocabulary.TOPICS_BY_TYPE[body.type]]
        first, second = rng.sample(themes, 2) if len(themes) > 1 else (themes[0], themes[0])
        plan_pk = self.ids.take(ActionPlan)
        updated_on = min(adopted_on or starts_on, self.today)
        self.sink.add(
            tables.PLAN,
            (
                plan_pk,
                body.pk,
                kind,
                self.title(body, kind, starts_on, ends_on),
                starts_on,
                ends_on,
                status,
                adopted_on,
                confidentiality,
                vocabulary.DIAGNOSTIC.format(theme1=first, theme2=second),
                Confidentiality.stricter(diagnostic_level, confidentiality),
                at(updated_on, 10),
                1,  # version (optimistic locking)
            ),
        )
        objectives = []
        for position, (title, axis) in enumerate(
            rng.sample(vocabulary.OBJECTIVES, rng.randint(3, 4)), 1
        ):
            pk = self.ids.take(tables.OBJECTIVE.model)
            self.sink.add(tables.OBJECTIVE, (pk, plan_pk, position, title, axis))
            objectives.append(pk)

        members = [m for m in body.members if m.current(max(starts_on, m.started_on))]
        institutions = sorted({m.institution_pk: m.category for m in members}.items())
        leads = [pk for pk, category in institutions if category in LEADS] or [
            pk for pk, _ in institutions
        ]
        low, high = ACTIONS_PER_PLAN[body.integration]
        action_pks = []
        for title, public in rng.sample(vocabulary.ACTIONS, rng.randint(low, high)):
            if not leads:
                break
            action_pks.append(
                self.action(
                    rng,
                    body,
                    plan_pk,
                    status,
                    starts_on,
                    ends_on,
                    rng.choice(objectives),
                    title,
                    public,
                    rng.choice(leads),
                    [pk for pk, _ in institutions],
                )
            )
        if status != ActionPlan.Status.DRAFT:
            body.plans.append((starts_on, ends_on, action_pks))

        indicators = rng.sample(vocabulary.INDICATORS, rng.randint(2, 3))
        for spec in indicators:
            self.indicator(rng, body, plan_pk, None, status, starts_on, ends_on, spec)
        for action_pk in action_pks:
            if rng.random() < 0.7:
                spec = rng.choice(vocabulary.INDICATORS[1:])
                self.indicator(rng, body, plan_pk, action_pk, status, starts_on, ends_on, spec)

    def action(
        self,
        rng,
        body,
        plan_pk,
        plan_status,
        plan_start,
        plan_end,
        objective_pk,
        title,
        public,
        lead_pk,
        institutions,
    ) -> int:
        pk = self.ids.take(Action)
        starts_on = plan_start + datetime.timedelta(days=rng.randint(0, 300))
        if rng.random() < 0.7:
            ends_on = plan_end
        else:
            ends_on = min(plan_end, starts_on + datetime.timedelta(days=rng.randint(365, 730)))
        S = Action.Status
        if plan_status == ActionPlan.Status.DRAFT or starts_on > self.today:
            status = S.PLANNED
        elif plan_status == ActionPlan.Status.CLOSED:
            status = rng.choices((S.DONE, S.ABANDONED, S.IN_PROGRESS), weights=(65, 15, 20))[0]
        else:
            status = rng.choices(
                (S.PLANNED, S.IN_PROGRESS, S.DONE, S.ABANDONED), weights=(15, 65, 15, 5)
            )[0]
        budget = Decimal(rng.randint(5, 120) * 1000) if rng.random() < 0.6 else None
        self.sink.add(
            tables.ACTION,
            (
                pk,
                plan_pk,
                objective_pk,
                title,
                f"{title}. Fiche-action du plan {plan_start.year}–{plan_end.year}.",
                lead_pk,
                public,
                starts_on,
                ends_on,
                status,
                budget,
                1,  # version
            ),
        )
        partners = [i for i in institutions if i != lead_pk]
        for partner in rng.sample(partners, min(len(partners), rng.randint(1, 4))):
            self.sink.add(
                tables.ACTION_PARTNER, (self.ids.take(tables.ACTION_PARTNER.model), pk, partner)
            )
        if body.site_pks and rng.random() < 0.4:
            site = rng.choice(body.site_pks)
            self.sink.add(tables.ACTION_SITE, (self.ids.take(tables.ACTION_SITE.model), pk, site))
        if budget is not None:
            years = list(range(starts_on.year, ends_on.year + 1))
            sources = SOURCES[body.type]
            for year in years:
                chosen = rng.sample(sources, rng.randint(1, 3))
                weights = [rng.randint(1, 4) for _ in chosen]
                for source, weight in zip(chosen, weights, strict=True):
                    amount = (budget / len(years) * weight / sum(weights)).quantize(Decimal(100))
                    self.sink.add(
                        tables.FUNDING,
                        (self.ids.take(FundingLine), pk, source, year, amount),
                    )
        count = rng.randint(2, 4)
        titles = [*vocabulary.MILESTONES[: count - 1], vocabulary.MILESTONES[-1]]
        span = (ends_on - starts_on).days
        for n, title in enumerate(titles):
            target_on = starts_on + datetime.timedelta(days=span * (n + 1) // count)
            reached_on = None
            kept = status == S.DONE or rng.random() < MILESTONE_KEPT[body.integration]
            if target_on <= self.today and status != S.ABANDONED and kept:
                reached_on = min(
                    self.today, target_on + datetime.timedelta(days=rng.randint(-20, 40))
                )
                reached_on = max(reached_on, starts_on)
            self.sink.add(
                tables.MILESTONE,
                (
                    self.ids.take(tables.MILESTONE.model),
                    pk,
                    title,
                    target_on,
                    reached_on,
                ),
            )
        return pk

    def indicator(self, rng, body, plan_pk, action_pk, plan_status, starts_on, ends_on, spec):
        name, unit, direction, low, high, ssmsi = spec
        F = Indicator.Frequency
        if ssmsi and body.commune and action_pk is None:
            frequency = F.YEARLY
        else:
            ssmsi = ""
            frequency = rng.choices((F.YEARLY, F.QUARTERLY, F.MONTHLY), weights=(35, 20, 45))[0]
        baseline_on = PERIOD_BEFORE[frequency](starts_on.year)
        target_on = ends_on
        baseline = Decimal(rng.randint(low, high))
        if direction == Indicator.Direction.LOWER:
            target = (baseline * Decimal(1 - rng.uniform(0.1, 0.3))).quantize(Decimal(1))
        else:
            target = (baseline * Decimal(1 + rng.uniform(0.2, 0.6))).quantize(Decimal(1))
            if unit == "%":
                target = min(target, Decimal(95))
        pk = self.ids.take(Indicator)
        source = (
            "SSMSI"
            if ssmsi
            else rng.choice(("Partenaires du plan", "Police municipale", "Bailleurs"))
        )
        self.sink.add(
            tables.INDICATOR,
            (
                pk,
                plan_pk,
                action_pk,
                name,
                unit,
                direction,
                baseline,
                baseline_on,
                target,
                target_on,
                frequency,
                source,
                ssmsi,
                False,
                None,
                body.commune.pk if ssmsi else None,
                # a count unless a rate, a share or an amount (as actions' migration 0003)
                not any(word in unit.lower() for word in ("%", "‰", "€", "taux", "pour ")),
                1,  # version
            ),
        )
        if plan_status == ActionPlan.Status.DRAFT:
            return
        # On track, behind, or the wrong way.
        pace = rng.choices(
            (rng.uniform(0.9, 1.4), rng.uniform(0.1, 0.6), rng.uniform(-0.5, -0.1)),
            weights=(45, 40, 15),
        )[0]
        last = min(ends_on, self.today)
        starts = periods.periods_between(frequency, baseline_on, last)
        # the current period is not over: nothing to measure yet
        starts = [s for s in starts if periods.period_end(frequency, s) < self.today]
        if body.integration == 1 and starts and rng.random() < 0.3:
            starts = starts[: rng.randint(1, len(starts))]  # stopped measuring
        span = (target_on - baseline_on).days
        spread = abs(target - baseline) * Decimal("0.04") + 1
        places = Decimal("0.1") if unit == "%" else Decimal(1)
        for start in starts:
            share = Decimal((start - baseline_on).days) / span
            value = baseline + (target - baseline) * Decimal(pace) * share
            value += spread * Decimal(rng.uniform(-1, 1))
            value = max(Decimal(0), value)
            if unit == "%":
                value = min(value, Decimal(100))
            note = source
            if rng.random() < 0.03:
                value, note = None, "Non transmis"
            entered = min(
                self.today,
                periods.period_end(frequency, start) + datetime.timedelta(days=rng.randint(5, 40)),
            )
            self.sink.add(
                tables.MEASUREMENT,
                (
                    self.ids.take(tables.MEASUREMENT.model),
                    pk,
                    start,
                    value.quantize(places) if value is not None else None,
                    note,
                    None,
                    at(entered, 9),
                ),
            )
