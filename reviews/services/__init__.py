"""Every write to people and reviews. Each service validates, writes in one transaction, adds
the timeline entry and audit record, and queues any email through the outbox.

Cut by what it writes: people (and what their setting does to their reviews), planning and due
dates, scheduling and the agenda, the lifecycle, the timeline, consent, participants and
invitations, the calendar file. `from reviews.services import x` and `services.x` find each
public name here; patch a name in the submodule that calls it."""

from .calendar import (
    ics_attachments,
    invitees_tell,
    review_ics,
)
from .consent import (
    CONSENT_ROUTES,
    consent_record,
)
from .lifecycle import (
    review_transition,
)
from .participants import (
    ALREADY_INVITED,
    INVITATION_DAYS,
    invitation_accept,
    invitation_for_token,
    participant_account_invite,
    participant_add,
    participant_declare_independence,
    participant_reach,
    participant_reach_set,
    participant_unreachable,
    review_record_attendance,
)
from .people import (
    COMMUNITY_REVIEW_CLOSE,
    COMMUNITY_REVIEW_CONVERT,
    PDS_AUDIT_ACTIONS,
    PERSON_EDITABLE,
    admission_root_cause_record,
    contact_add,
    laep_record,
    person_change_setting,
    person_pds_lookup,
    person_rate_dsr,
    person_record_diagnosis_removed,
    person_record_segregation,
    person_register,
    person_register_validate,
    person_update,
    restrictive_practice_record,
)
from .planning import (
    NOT_IN_SEGREGATION,
    PLANNED_CLOCKS,
    review_plan,
    review_recompute_due,
    reviews_recompute_for_birthdays,
)
from .scheduling import (
    agenda_generate,
    agenda_update,
    model_agenda,
    review_schedule,
)
from .timeline import (
    review_event_record,
)
from .transfers import (
    review_commissioner_change,
    transfer_accept,
    transfer_refuse,
    transfer_request,
)

__all__ = [
    "ALREADY_INVITED",
    "COMMUNITY_REVIEW_CLOSE",
    "COMMUNITY_REVIEW_CONVERT",
    "CONSENT_ROUTES",
    "INVITATION_DAYS",
    "NOT_IN_SEGREGATION",
    "PDS_AUDIT_ACTIONS",
    "PERSON_EDITABLE",
    "PLANNED_CLOCKS",
    "admission_root_cause_record",
    "agenda_generate",
    "agenda_update",
    "consent_record",
    "contact_add",
    "ics_attachments",
    "invitees_tell",
    "invitation_accept",
    "invitation_for_token",
    "laep_record",
    "model_agenda",
    "participant_account_invite",
    "participant_add",
    "participant_declare_independence",
    "participant_reach",
    "participant_reach_set",
    "participant_unreachable",
    "person_change_setting",
    "person_pds_lookup",
    "person_rate_dsr",
    "person_record_diagnosis_removed",
    "person_record_segregation",
    "person_register",
    "person_register_validate",
    "person_update",
    "restrictive_practice_record",
    "review_commissioner_change",
    "review_event_record",
    "review_ics",
    "review_plan",
    "review_recompute_due",
    "review_record_attendance",
    "review_schedule",
    "review_transition",
    "reviews_recompute_for_birthdays",
    "transfer_accept",
    "transfer_refuse",
    "transfer_request",
]
