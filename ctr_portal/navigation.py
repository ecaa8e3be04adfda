"""Navigation by role: each app registers its header links with the permission that shows them.

`reviews` and the apps after it call `register_nav_item` from their AppConfig.ready(), so the
header never imports them.
"""

from dataclasses import dataclass

from django.urls import reverse

from .permissions import Perm


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    permission: str
    order: int = 100
    # Prefixes of URL names that mark this item as the current one (e.g. "reviews:person_").
    current_for: tuple[str, ...] = ()


_registry: list[NavItem] = []


def register_nav_item(item: NavItem) -> None:
    if item not in _registry:
        _registry.append(item)
        _registry.sort(key=lambda i: i.order)


def nav_items_for(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in _registry:
        if not user.has_perm(item.permission):
            continue
        current = view_name == item.url_name or any(
            view_name.startswith(prefix) for prefix in item.current_for
        )
        items.append({"text": item.text, "href": reverse(item.url_name), "current": current})
    return items


register_nav_item(NavItem("Home", "dashboard", Perm.VIEW_DASHBOARD, order=0))
register_nav_item(
    NavItem("Administration", "admin:index", Perm.ADMINISTER, order=900, current_for=("admin:",))
)
