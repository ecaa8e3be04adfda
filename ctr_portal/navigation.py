"""Navigation by role: each app adds its header links, with the permission that shows them,
through the `nav_items` signal (connected in its AppConfig.ready()), so the header never imports
the apps."""

from dataclasses import dataclass

from django.urls import reverse

from .permissions import Perm
from .signals import collect, nav_items, page_asides


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    permission: str
    order: int = 100
    # Prefixes of URL names that mark this item as the current one (e.g. "reviews:person_").
    current_for: tuple[str, ...] = ()


def nav_items_for(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in sorted(collect(nav_items), key=lambda i: i.order):
        if not user.has_perm(item.permission):
            continue
        current = view_name == item.url_name or any(
            view_name.startswith(prefix) for prefix in item.current_for
        )
        items.append({"text": item.text, "href": reverse(item.url_name), "current": current})
    return items


@dataclass(frozen=True)
class Aside:
    """Something an app shows on every page a user reaches, after the page's content: a
    partial template and its context (the partial reads it as `aside`)."""

    template: str
    context: dict
    order: int = 100


def asides_for(request) -> list[Aside]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return sorted(collect(page_asides, request=request), key=lambda a: a.order)


def core_nav_items(sender, **kwargs):
    return [
        NavItem("Home", "dashboard", Perm.VIEW_DASHBOARD, order=0),
        NavItem(
            "Administration", "admin:index", Perm.ADMINISTER, order=900, current_for=("admin:",)
        ),
    ]
