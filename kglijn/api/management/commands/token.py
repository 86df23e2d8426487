"""`kglijn token create USERNAME [--name LABEL]` / `list [--user U]` / `revoke PREFIX|--user U`.

The token is printed once by `create`; kglijn keeps only its SHA-256 digest (docs/api.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kglijn.api.selectors import token_list
from kglijn.api.services import token_create, token_revoke
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent


class Command(BaseCommand):
    help = _("Create, list or revoke API tokens (Authorization: Token <token>).")

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="what", required=True)
        create = subparsers.add_parser("create", help=_("print a new token for a user, once"))
        create.add_argument("username")
        create.add_argument("--name", default="", help=_("a label, e.g. the system using it"))
        listing = subparsers.add_parser("list", help=_("list tokens (prefix, user, name, use)"))
        listing.add_argument("--user", default=None)
        revoke = subparsers.add_parser("revoke", help=_("revoke a token by its prefix"))
        revoke.add_argument("prefix", nargs="?", default=None)
        revoke.add_argument("--user", default=None, help=_("revoke all tokens of this user"))

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['what']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user “%(name)s”.") % {"name": options["username"]})
        if not user.is_active:
            raise CommandError(_("User “%(name)s” is not active.") % {"name": user.username})
        row, token = token_create(user=user, name=options["name"])
        self.stderr.write(
            _("Token %(prefix)s… for %(user)s. Shown only now; kglijn keeps only its hash.")
            % {"prefix": row.prefix, "user": user.username}
        )
        self.stdout.write(token)

    def _list(self, options: dict[str, Any]) -> None:
        tokens = list(token_list(username=options["user"]))
        audit_record(
            actor=None,
            action=AuditEvent.Action.VIEW,
            object_type="api_token",
            object_id=0,
            detail={"list": True, "user": options["user"], "count": len(tokens)},
        )
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "-"
            self.stdout.write(
                f"{token.prefix}\t{token.user.username}\t{token.name or '-'}\t"
                f"{token.created_at:%Y-%m-%d %H:%M}\t{used}\t{state}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix, username = options["prefix"], options["user"]
        if bool(prefix) == bool(username):
            raise CommandError(_("Give a token prefix or --user USERNAME."))
        tokens = token_list(username=username).filter(revoked_at__isnull=True)
        if prefix:
            tokens = token_list().filter(prefix=prefix, revoked_at__isnull=True)
            if tokens.count() > 1:
                raise CommandError(_("Several tokens start with %(p)s.") % {"p": prefix})
            if not tokens.exists():
                raise CommandError(_("No active token starts with %(p)s.") % {"p": prefix})
        count = 0
        for token in tokens:
            token_revoke(token=token)
            count += 1
        self.stdout.write(_("%(count)d token(s) revoked.") % {"count": count})
