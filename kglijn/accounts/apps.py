from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    # Infrastructure, not business logic: permissions only exist after post_migrate, so roles
    # are (re)synced there, the same way Django creates the permissions themselves.
    # post_migrate is only sent for apps with models; accounts has none, contacts always runs.
    if sender.label != "contacts":
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from kglijn.accounts.services import roles_sync

    using = kwargs.get("using", "default")
    for app_config in apps.get_app_configs():  # apps after us have not had theirs created yet
        create_permissions(app_config, verbosity=0, using=using)
    roles_sync()


class AccountsConfig(AppConfig):
    name = "kglijn.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="kglijn-roles-sync")
        # django-axes reports lockouts only through a signal; the audit line is written there.
        from axes.signals import user_locked_out

        from kglijn.accounts.throttle import lockout_audit

        user_locked_out.connect(lockout_audit, dispatch_uid="kglijn-lockout-audit")
