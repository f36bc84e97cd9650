from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Staff: users and roles, departments, teams, mentors, absences, the audit log."""

    name = "callpulse.core"
    label = "core"
    verbose_name = _("Staff")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from callpulse.core import schema  # noqa: F401 - registers the OpenAPI extension
        from callpulse.core.sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="callpulse-unicode-like")
