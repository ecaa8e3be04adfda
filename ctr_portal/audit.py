"""The one way to write the audit trail. Services and views call `audit_record` explicitly."""

from django.conf import settings

from .middleware import current_request_id
from .models import AuditEvent

Action = AuditEvent.Action


def audit_record(*, action, actor=None, obj=None, object_type="", object_id="", request=None):
    """Append one event. `obj` gives the object's type and id; nothing else about it is kept."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=_client_ip(request) if request is not None else None,
        request_id=getattr(request, "request_id", "") or current_request_id.get(),
    )


def _client_ip(request):
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
