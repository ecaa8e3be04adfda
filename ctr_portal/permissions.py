"""Every permission name in the project, in one place. Each app's rules.py gives each its rule;
views, templates and query functions name them only through these constants."""

from enum import StrEnum


class Perm(StrEnum):
    # ctr_portal
    VIEW_DASHBOARD = "ctr_portal.view_dashboard"
    VIEW_ORGANISATION = "ctr_portal.view_organisation"
    ADMINISTER = "ctr_portal.administer"
