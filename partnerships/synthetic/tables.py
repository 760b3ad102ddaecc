"""The tables the generator writes, each with the column order of its rows (see `sink.Table`)."""

from actions.models import (
    Action,
    ActionPlan,
    FundingLine,
    Indicator,
    Measurement,
    Milestone,
    Objective,
)
from bodies.models import Body, Institution, Membership, Person, Site
from meetings.models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentFollowUp,
    Decision,
    Meeting,
)

from .sink import Table

INSTITUTION = Table(Institution, "id category name department_id commune_id siren")
PERSON = Table(Person, "id first_name last_name email phone user_id public_name_consent")
SITE = Table(Site, "id kind name qpv_code department_id selection_criteria designated_on")
SITE_COMMUNE = Table(Site.communes.through, "id site_id commune_id")
BODY = Table(
    Body,
    "id type name other_names department_id commune_id epci_id parent_id created_on "
    "dissolved_on problem_statement problem_confidentiality planned_end_on search_text",
)
BODY_SITE = Table(Body.sites.through, "id body_id site_id")
MEMBERSHIP = Table(
    Membership, "id person_id body_id institution_id role started_on ended_on substitute_id"
)

MEETING = Table(
    Meeting,
    "id body_id starts_at kind place status confidentiality minutes minutes_approved_at_id "
    "version updated_at creation_token",
)
AGENDA_ITEM = Table(AgendaItem, "id meeting_id position title notes")
ATTENDANCE = Table(
    Attendance, "id meeting_id person_id institution_id membership_id status represented_by_id"
)
DECISION = Table(Decision, "id meeting_id agenda_item_id text confidentiality")
COMMITMENT = Table(
    Commitment,
    "id body_id meeting_id decision_id action_id owner_institution_id owner_person_id "
    "description due_on status done_on evidence confidentiality",
)
FOLLOW_UP = Table(CommitmentFollowUp, "id commitment_id meeting_id outcome note")

PLAN = Table(
    ActionPlan,
    "id body_id kind title starts_on ends_on status adopted_on confidentiality diagnostic "
    "diagnostic_confidentiality updated_at version",
)
OBJECTIVE = Table(Objective, "id plan_id position title national_axis")
ACTION = Table(
    Action,
    "id plan_id objective_id title description lead_institution_id target_public starts_on "
    "ends_on status budget version",
)
ACTION_PARTNER = Table(Action.partners.through, "id action_id institution_id")
ACTION_SITE = Table(Action.sites.through, "id action_id site_id")
FUNDING = Table(FundingLine, "id action_id source year amount")
MILESTONE = Table(Milestone, "id action_id title target_on reached_on")
INDICATOR = Table(
    Indicator,
    "id plan_id action_id name unit direction baseline_value baseline_on target_value "
    "target_on frequency source ssmsi_indicator ssmsi_rate site_id commune_id is_count version",
)
MEASUREMENT = Table(
    Measurement, "id indicator_id period_start value source_note entered_by_id entered_at"
)

# In the order a reader expects them in a summary.
ALL = (
    INSTITUTION,
    PERSON,
    SITE,
    SITE_COMMUNE,
    BODY,
    BODY_SITE,
    MEMBERSHIP,
    PLAN,
    OBJECTIVE,
    ACTION,
    ACTION_PARTNER,
    ACTION_SITE,
    FUNDING,
    MILESTONE,
    INDICATOR,
    MEASUREMENT,
    MEETING,
    AGENDA_ITEM,
    ATTENDANCE,
    DECISION,
    COMMITMENT,
    FOLLOW_UP,
)
