"""Reads of people and reviews, scoped to the user. Views use these and nothing else.

Each list makes a fixed number of queries whatever its length (tested), and each detail query
loads what the rules need (participants, the latest consent) so that permission checks on the
page cost nothing more. Cut by what is read: people, reviews, the dashboards, participants and
who hears, organisations to choose from, and what the apps built on reviews read.
`from reviews.queries import x` and `queries.x` find each public name here."""

from ..rules import commissioning_org_ids
from .dashboard import (
    REPEAT_RULES,
    CommissionerDashboard,
    commissioner_dashboard,
    commissioner_reviews,
    inpatients_past_interval,
    past_interval,
    reviews_for_participant,
    reviews_for_partner_organisations,
)
from .for_apps import (
    next_review_for_person,
    people_in_hospital_commissioned_by,
    reviews_held_between,
    reviews_held_for_providers,
    reviews_held_since,
)
from .organisations import (
    commissioner_choices,
    commissioners_of_kind,
    hospital_choices,
    local_authority_choices,
)
from .participants import (
    agenda_for_review,
    commissioner_contacts,
    commissioning_organisations,
    contacts_for_person,
    family_contacts,
    notice_contacts,
    participants_for_review,
    reviews_starting_between,
)
from .people import (
    HOSPITAL_CLOCK_KINDS,
    PeopleFilter,
    TimelineEntry,
    admission_awaiting_root_cause,
    community_review_held_before,
    diagnosis_removal_status,
    next_due_dates,
    no_post_admission_reason,
    open_community_review_for_person,
    open_review_for_person,
    people_for_user,
    people_list,
    person_for_user,
    person_timeline,
    reviews_for_person,
)
from .reviews import (
    ReviewFilter,
    consent_history,
    participant_review_ids,
    review_for_user,
    review_list,
    review_list_ids,
    review_timeline,
    reviews_for_user,
    reviews_in_order,
    with_consent_gate,
)
from .transfers import (
    transfer_request_for_user,
    transfer_requests_for_person,
    transfer_requests_for_user,
)

__all__ = [
    "CommissionerDashboard",
    "HOSPITAL_CLOCK_KINDS",
    "PeopleFilter",
    "REPEAT_RULES",
    "ReviewFilter",
    "TimelineEntry",
    "admission_awaiting_root_cause",
    "agenda_for_review",
    "commissioner_choices",
    "commissioner_contacts",
    "commissioner_dashboard",
    "commissioner_reviews",
    "commissioners_of_kind",
    "commissioning_org_ids",
    "commissioning_organisations",
    "community_review_held_before",
    "consent_history",
    "contacts_for_person",
    "diagnosis_removal_status",
    "family_contacts",
    "hospital_choices",
    "inpatients_past_interval",
    "local_authority_choices",
    "next_due_dates",
    "next_review_for_person",
    "no_post_admission_reason",
    "notice_contacts",
    "open_community_review_for_person",
    "open_review_for_person",
    "participant_review_ids",
    "participants_for_review",
    "past_interval",
    "people_for_user",
    "people_in_hospital_commissioned_by",
    "people_list",
    "person_for_user",
    "person_timeline",
    "review_for_user",
    "review_list",
    "review_list_ids",
    "review_timeline",
    "reviews_for_participant",
    "reviews_for_partner_organisations",
    "reviews_for_person",
    "reviews_for_user",
    "reviews_held_between",
    "reviews_held_for_providers",
    "reviews_held_since",
    "reviews_in_order",
    "reviews_starting_between",
    "transfer_request_for_user",
    "transfer_requests_for_person",
    "transfer_requests_for_user",
    "with_consent_gate",
]
