"""System checks that keep production honest."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def demo_mode_off(app_configs, **kwargs):
    if settings.DEMO_MODE:
        return [
            Error(
                "DEMO_MODE is on: demo accounts sign in without two-factor.",
                hint="Unset DEMO_MODE outside a laptop demo.",
                id="ctr_portal.E001",
            )
        ]
    return []
