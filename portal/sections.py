"""A part of the portal's review page that another app adds through `portal_sections`."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PortalSection:
    heading: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
