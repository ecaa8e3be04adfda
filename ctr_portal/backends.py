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
