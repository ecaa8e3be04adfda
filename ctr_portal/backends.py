"""Sign-in by email and password. Access is decided by `rules` predicates alone, so Django's
model permissions (user and group permission tables) are not consulted: that saves two queries
on every page that asks a permission, and keeps one mechanism. Administrators are superusers:
`models.User.has_perm` lets them through Django's model permissions (the admin) and never a
rule."""

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()


def axes_username(request, credentials=None) -> str | None:
    """What django-axes counts failures against (AXES_USERNAME_CALLABLE): the address in the
    one normal form the account is looked up by, so every spelling that finds an account counts
    toward that account's one lock, and a success clears only that lock. axes asks with the
    credentials given to `authenticate`, or the account's own address when someone signs in."""
    from .models import normalise_email

    source = credentials if credentials is not None else getattr(request, "POST", {})
    return normalise_email(source.get("username")) or None
