"""Demo action plans for the major demo bodies (loaded after the bodies and meetings demos).

Each plan runs over three years around the loading day (from last year to next year), so
progress always looks current: actions with funding and milestones (some reached, some late),
indicators with a baseline two years back and yearly measurements since, a few on track, a
few behind, one with a count the SSMSI did not publish, one measured monthly. Saint-Martin-
d’Hères has a plan still in preparation (not published); `meetings.demo` then links the
commitments made in meetings to the actions they serve. Deterministic for a given day and
idempotent (a body that already has plans is left alone).
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bodies.models import Body, Institution, Site

from .models import Action, ActionPlan, Axis, FundingLine, Indicator, Measurement, Milestone

S = FundingLine.Source

# An indicator: (name, unit, direction, baseline, target, trend, action index or None).
# `trend` is the share of the way to the target covered per year: 0.4 is on track over a
# three-year plan, 0.05 stalls, negative goes the wrong way.
PLANS = {
    "clspd_gre": {
        "kind": ActionPlan.Kind.STSPD,
        "title": "Stratégie territoriale de sécurité et de prévention de Grenoble",
        "diagnostic": (
            "Diagnostic partagé de 2023 : hausse des cambriolages dans les quartiers sud, "
            "trafic de stupéfiants installé à Mistral et à la Villeneuve, rodéos motorisés "
            "l’été, sentiment d’insécurité élevé aux arrêts de tram le soir (enquête auprès "
            "de 1 200 habitants). Réponses existantes : médiation de nuit, police municipale "
            "renforcée, deux cellules de veille."
        ),
        "objectives": [
            ("Prévenir la délinquance des plus jeunes", Axis.YOUTH),
            ("Protéger les victimes de violences intrafamiliales", Axis.VULNERABLE),
            ("Rendre aux habitants la tranquillité des espaces publics", Axis.POPULATION),
        ],
        "actions": [
            (
                0,
                "Orienter vers la prévention spécialisée les mineurs repérés",
                "Médiation Sud Isère (association fictive)",
                [
                    "Ville de Grenoble",
                    "Direction territoriale de la protection judiciaire de la jeunesse des Alpes",
                ],
                ["QN03801M"],
                "Mineurs de 11 à 17 ans repérés par les partenaires",
                42000,
                [(S.FIPD, 18000), (S.CITY_CONTRACT, 14000), (S.COMMUNE, 10000)],
                "in_progress",
            ),
            (
                1,
                "Diffuser le guide d’orientation des victimes aux partenaires",
                "Association d’aide aux victimes du Dauphiné (fictive)",
                ["Parquet du tribunal judiciaire de Grenoble"],
                [],
                "Victimes de violences au sein du couple et leurs enfants",
                8000,
                [(S.FIPD, 6000), (S.DEPARTMENT, 2000)],
                "done",
            ),
            (
                2,
                "Installer la vidéoprotection dans deux halls",
                "Alpes Habitat Solidaire (bailleur fictif)",
                ["Police municipale de Grenoble", "Ville de Grenoble"],
                ["QN03802M"],
                "Locataires des îlots Anatole-France et Lys Rouge",
                65000,
                [(S.FIPD, 30000), (S.OTHER, 35000)],
                "in_progress",
            ),
            (
                2,
                "Organiser des patrouilles mixtes sur la ligne de tram",
                "Police municipale de Grenoble",
                [
                    "Direction interdépartementale de la police nationale de l’Isère",
                    "Réseau de transport de l’agglomération (exploitant fictif)",
                ],
                [],
                "Voyageurs du réseau en soirée",
                None,
                [],
                "planned",
            ),
        ],
        "indicators": [
            ("Cambriolages de logement", "faits", "lower", 1210, 1000, 0.45, None),
            ("Coups et blessures volontaires", "faits", "lower", 980, 880, -0.1, None),
            ("Mineurs suivis par la prévention spécialisée", "jeunes", "higher", 40, 120, 0.4, 0),
            ("Halls équipés de vidéoprotection", "halls", "higher", 0, 2, 0.05, 2),
        ],
        "monthly": ("Signalements d’occupation de halls (bailleur)", "signalements", 2),
        "ssmsi": "Cambriolages de logement",
    },
    "clspd_ech": {
        "kind": ActionPlan.Kind.STSPD,
        "title": "Stratégie territoriale de sécurité et de prévention d’Échirolles",
        "diagnostic": (
            "Rodéos urbains aux Essarts, incivilités dans les transports, violences "
            "intrafamiliales en hausse selon les signalements des partenaires."
        ),
        "objectives": [
            ("Lutter contre les rodéos motorisés", Axis.POPULATION),
            ("Mieux accompagner les victimes de violences intrafamiliales", Axis.VULNERABLE),
        ],
        "actions": [
            (
                0,
                "Coordonner les opérations police nationale et police municipale",
                "Police municipale d’Échirolles",
                ["Direction interdépartementale de la police nationale de l’Isère"],
                ["QN03803M"],
                "Habitants des Essarts et de Surieux",
                12000,
                [(S.COMMUNE, 12000)],
                "in_progress",
            ),
            (
                1,
                "Permanence d’aide aux victimes au commissariat",
                "Association d’aide aux victimes du Dauphiné (fictive)",
                ["Ville d’Échirolles"],
                [],
                "Victimes de violences",
                15000,
                [(S.FIPD, 9000), (S.COMMUNE, 6000)],
                "in_progress",
            ),
        ],
        "indicators": [
            ("Rodéos signalés à la police municipale", "signalements", "lower", 140, 70, 0.1, 0),
            ("Victimes reçues en permanence", "personnes", "higher", 60, 150, 0.5, 1),
        ],
    },
    "cispd_capi": {
        "kind": ActionPlan.Kind.STSPD,
        "title": "Stratégie intercommunale de sécurité et de prévention de la Porte de l’Isère",
        "diagnostic": (
            "Violences urbaines récurrentes au Mas du Taureau, décrochage scolaire, "
            "insécurité ressentie dans les bus du réseau intercommunal."
        ),
        "objectives": [
            ("Prévenir le décrochage et l’exposition des jeunes", Axis.YOUTH),
            ("Associer les habitants à la tranquillité publique", Axis.POPULATION),
        ],
        "actions": [
            (
                0,
                "Chantiers éducatifs pendant les vacances scolaires",
                "Prévention spécialisée Nord-Isère (association fictive)",
                ["Communauté d’agglomération Porte de l’Isère (CAPI)"],
                ["QN03805M"],
                "Jeunes de 16 à 21 ans",
                24000,
                [(S.CITY_CONTRACT, 16000), (S.EPCI, 8000)],
                "in_progress",
            ),
            (
                1,
                "Marches exploratoires avec le conseil citoyen",
                "Conseil citoyen du Mas du Taureau (fictif)",
                ["Police intercommunale de la CAPI"],
                ["QN03805M"],
                "Habitantes et habitants du quartier",
                3000,
                [(S.STATE_OTHER, 3000)],
                "done",
            ),
        ],
        "indicators": [
            ("Jeunes accueillis en chantier éducatif", "jeunes", "higher", 20, 60, 0.15, 0),
            ("Dégradations de bus signalées", "faits", "lower", 85, 60, 0.4, None),
        ],
    },
    "cdpd": {
        "kind": ActionPlan.Kind.DEPARTMENTAL,
        "title": "Plan départemental de prévention de la délinquance de l’Isère",
        "diagnostic": (
            "Synthèse des diagnostics locaux : violences intrafamiliales, exposition des "
            "mineurs aux trafics, besoin de coordination des CLSPD du département."
        ),
        "objectives": [
            ("Appuyer les instances locales de prévention", Axis.TERRITORY),
            ("Prévenir la récidive", Axis.VULNERABLE),
        ],
        "actions": [
            (
                0,
                "Réunir chaque semestre les coordonnateurs des CLSPD",
                "Préfecture de l’Isère",
                ["Conseil départemental de l’Isère"],
                [],
                "Coordonnateurs des CLSPD et CISPD",
                None,
                [],
                "in_progress",
            ),
            (
                1,
                "Développer les travaux d’intérêt général dans la commune",
                "Service pénitentiaire d’insertion et de probation de l’Isère",
                ["Parquet du tribunal judiciaire de Grenoble"],
                [],
                "Personnes condamnées à un TIG",
                20000,
                [(S.FIPD, 20000)],
                "in_progress",
            ),
        ],
        "indicators": [
            ("CLSPD réunis au moins une fois dans l’année", "%", "higher", 55, 90, 0.35, 0),
            ("Postes de TIG offerts par les collectivités", "postes", "higher", 120, 200, 0.05, 1),
        ],
    },
}
DRAFT = {
    "clspd_smh": "Projet de stratégie territoriale de Saint-Martin-d’Hères (en préparation)",
}


def _plan_dates(today):
    first = datetime.date(today.year - 1, 1, 1)
    return first, datetime.date(today.year + 1, 12, 31), datetime.date(today.year - 1, 3, 14)


def _values(rng, baseline, target, trend, years, integer=True):
    values = []
    for n in range(years):
        value = Decimal(baseline) + (Decimal(target) - Decimal(baseline)) * Decimal(trend) * n
        noise = Decimal(rng.uniform(-0.03, 0.03)) * abs(Decimal(target) - Decimal(baseline))
        value = max(Decimal(0), value + noise)
        values.append(value.quantize(Decimal(1) if integer else Decimal("0.1")))
    return values


# Demo bodies by their type and territory (as in fixtures/demo/isere.json).
WHERE = {
    "clspd_gre": {"type": Body.Type.CLSPD, "commune__insee_code": "38185"},
    "clspd_ech": {"type": Body.Type.CLSPD, "commune__insee_code": "38151"},
    "clspd_smh": {"type": Body.Type.CLSPD, "commune__insee_code": "38421"},
    "cispd_capi": {"type": Body.Type.CISPD, "epci__siren": "243800604"},
    "cdpd": {"type": Body.Type.CDPD, "department__code": "38"},
}


def demo_body(key):
    return Body.objects.filter(**WHERE[key]).select_related("commune").first()


@transaction.atomic
def load_actions_demo(today: datetime.date | None = None) -> Counter:
    today = today or timezone.localdate()
    created = Counter()
    institutions = {i.name: i for i in Institution.objects.filter(department__code="38")}
    sites = {s.qpv_code: s for s in Site.objects.filter(department__code="38")}
    starts_on, ends_on, adopted_on = _plan_dates(today)
    baseline_year = starts_on.year - 1
    for key, spec in PLANS.items():
        body = demo_body(key)
        if body is None or body.plans.exists():
            continue
        rng = random.Random(f"demo-plan-{key}")
        plan = ActionPlan.objects.create(
            body=body,
            kind=spec["kind"],
            title=spec["title"],
            starts_on=starts_on,
            ends_on=ends_on,
            status=ActionPlan.Status.ADOPTED,
            adopted_on=adopted_on,
            diagnostic=spec["diagnostic"],
        )
        created["plans d’action"] += 1
        objectives = [
            plan.objectives.create(position=n, title=title, national_axis=axis)
            for n, (title, axis) in enumerate(spec["objectives"], start=1)
        ]
        actions = []
        for index, (
            objective,
            title,
            lead,
            partners,
            action_sites,
            public,
            budget,
            funding,
            status,
        ) in enumerate(spec["actions"]):
            action = Action.objects.create(
                plan=plan,
                objective=objectives[objective],
                title=title,
                description=f"{title}. Fiche-action du plan {plan.period_label()}.",
                lead_institution=institutions[lead],
                target_public=public,
                starts_on=starts_on + datetime.timedelta(days=60 * index),
                ends_on=ends_on,
                status=status,
                budget=budget,
            )
            action.partners.set([institutions[name] for name in partners])
            action.sites.set([sites[code] for code in action_sites])
            FundingLine.objects.bulk_create(
                [
                    FundingLine(action=action, source=source, year=year, amount=amount // 2)
                    for source, amount in funding
                    for year in (starts_on.year, starts_on.year + 1)
                ]
            )
            # three milestones a year apart-ish: the first reached, the second reached or late
            steps = [
                ("Lancement et recrutement", starts_on + datetime.timedelta(days=90 + 60 * index)),
                ("Bilan intermédiaire", starts_on + datetime.timedelta(days=400 + 30 * index)),
                ("Bilan final", ends_on),
            ]
            Milestone.objects.bulk_create(
                [
                    Milestone(
                        action=action,
                        title=step,
                        target_on=target,
                        reached_on=(
                            target + datetime.timedelta(days=rng.randint(-10, 20))
                            if target < today and (n == 0 or status == "done" or rng.random() < 0.5)
                            else None
                        ),
                    )
                    for n, (step, target) in enumerate(steps)
                ]
            )
            created["fiches-actions"] += 1
            actions.append(action)
        for name, unit, direction, baseline, target, trend, action_index in spec["indicators"]:
            indicator = Indicator.objects.create(
                plan=plan,
                action=actions[action_index] if action_index is not None else None,
                name=name,
                unit=unit,
                direction=direction,
                baseline_value=baseline,
                baseline_on=datetime.date(baseline_year, 1, 1),
                target_value=target,
                target_on=datetime.date(ends_on.year, 12, 31),
                frequency=Indicator.Frequency.YEARLY,
                source="SSMSI" if name == spec.get("ssmsi") else "Partenaires du plan",
                ssmsi_indicator=name if name == spec.get("ssmsi") else "",
                commune=body.commune if name == spec.get("ssmsi") else None,
            )
            years = list(range(baseline_year - 2, today.year))
            values = _values(rng, baseline, target, trend, len(years) - 2)
            # two years before the baseline, roughly level with it
            values = [values[0] + rng.randint(-3, 3), values[0] + rng.randint(-3, 3), *values]
            rows = [
                Measurement(
                    indicator=indicator,
                    period_start=datetime.date(year, 1, 1),
                    value=value,
                    source_note=indicator.source,
                )
                for year, value in zip(years, values, strict=True)
            ]
            if name == spec.get("ssmsi"):  # one year the SSMSI did not publish
                rows[1].value, rows[1].source_note = (
                    None,
                    "SSMSI — non diffusé (secret statistique)",
                )
            Measurement.objects.bulk_create(rows)
            created["indicateurs"] += 1
            created["mesures"] += len(rows)
        if "monthly" in spec:
            name, unit, action_index = spec["monthly"]
            indicator = Indicator.objects.create(
                plan=plan,
                action=actions[action_index],
                name=name,
                unit=unit,
                direction=Indicator.Direction.LOWER,
                baseline_value=30,
                baseline_on=starts_on,
                target_value=10,
                target_on=ends_on,
                frequency=Indicator.Frequency.MONTHLY,
                source="Bailleur",
            )
            month = starts_on
            rows = []
            while month < datetime.date(today.year, today.month, 1):
                rows.append(
                    Measurement(
                        indicator=indicator,
                        period_start=month,
                        value=max(0, 30 - len(rows) // 2 + rng.randint(-4, 4)),
                    )
                )
                month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
            Measurement.objects.bulk_create(rows)
            created["indicateurs"] += 1
            created["mesures"] += len(rows)
    for key, title in DRAFT.items():
        body = demo_body(key)
        if body is None or body.plans.exists():
            continue
        ActionPlan.objects.create(
            body=body,
            kind=ActionPlan.Kind.STSPD,
            title=title,
            starts_on=datetime.date(today.year + 1, 1, 1),
            ends_on=datetime.date(today.year + 3, 12, 31),
            diagnostic="Diagnostic en cours de rédaction avec les partenaires.",
        )
        created["plans d’action"] += 1
    return created
