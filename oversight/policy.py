"""How often commissioners visit people placed in hospital out of their home area (ADR 0016:
policy values live here, each with its source)."""

# NHS England policy (commissioner oversight visits, domain.md §3): every 8 weeks for an adult,
# every 6 weeks for a child or young person.
VISIT_WEEKS_ADULT = 8
VISIT_WEEKS_CHILD = 6
# Local choice, not NHS policy: the dashboard lists visits due within two weeks, time enough to
# arrange one.
VISIT_DUE_SOON_DAYS = 14
