"""Error pages in the service's style. A permission denial is written to the audit trail here,
the one place every PermissionDenied ends up."""

from django.shortcuts import render

from ..audit import Action, audit_record


def permission_denied(request, exception=None):
    match = request.resolver_match
    audit_record(
        action=Action.PERMISSION_DENIED,
        actor=request.user,
        object_type=match.view_name if match else "",
        object_id=str(next(iter(match.kwargs.values()), "")) if match else "",
        request=request,
    )
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the error may be the database.
    from django.template import loader

    template = loader.get_template("errors/500.html")
    from django.http import HttpResponseServerError

    return HttpResponseServerError(template.render({"service_name": "CTR Portal"}))
