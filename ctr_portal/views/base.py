"""The one pattern every object page follows.

A view finds its object through a query function that takes the user, so an object the user has
no part in is simply not found (404, its existence hidden). Then the `rules` permission decides
what a participant may do (403 when they may not). Both outcomes reach the audit trail.
"""

from django.http import Http404
from rules.contrib.views import PermissionRequiredMixin

from ..audit import Action, audit_record


class ScopedObjectMixin(PermissionRequiredMixin):
    """Set `permission_required` and implement `get_scoped_object()`, which returns the object
    through a query function for `self.request.user`, or None."""

    raise_exception = True
    object_type = ""

    def get_scoped_object(self):
        raise NotImplementedError

    def get_object(self):
        if not hasattr(self, "_object"):
            obj = self.get_scoped_object()
            if obj is None:
                audit_record(
                    action=Action.NOT_FOUND,
                    actor=self.request.user,
                    object_type=self.object_type,
                    object_id=str(next(iter(self.kwargs.values()), "")),
                    request=self.request,
                )
                raise Http404("Not found")
            self._object = obj
        return self._object

    def get_permission_object(self):
        return self.get_object()

    def get_context_data(self, **kwargs):
        kwargs.setdefault("object", self.get_object())
        return super().get_context_data(**kwargs)


def add_service_errors(form, error) -> None:
    """Show a service's ValidationError on the form: beside the field it names, or in the error
    summary when it names none (or a field the form does not have)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
