"""The main menu's shape: groups of entries, each entry shown only to users who may open it.

The entries themselves are listed in one place, `kglijn/config/menu.py` (the top layer, which
may name every app's URLs); this module only knows how to filter and lay them out, so it imports
no app. A user with few entries sees them side by side; more are folded into one disclosure menu
per group so that every role's menu fits one row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse
from django.utils.functional import Promise

AnyUser = User | AnonymousUser

# Up to this many entries a user's menu is flat (one click to each page); above it, grouped.
FLAT_MAX = 5


@dataclass(frozen=True, kw_only=True)
class MenuEntry:
    label: str | Promise
    url_name: str
    # Shown when the user has any of these permissions (none listed: every signed-in user).
    perms: tuple[str, ...] = ()
    staff: bool = False  # only for staff users (the management site)
    # Also current on the pages below the entry's URL (e.g. an article under /kennisbank/).
    prefix: bool = False
    # `badge(*, user) -> int | None`: None hides the entry, a number > 0 shows as a counter.
    badge: Callable[..., int | None] | None = None
    key: str = ""  # a stable name for tests and styles (data-menu-entry)

    def allowed(self, user: AnyUser) -> bool:
        if self.staff and not user.is_staff:
            return False
        return not self.perms or any(user.has_perm(perm) for perm in self.perms)


@dataclass(frozen=True, kw_only=True)
class MenuGroup:
    key: str
    label: str | Promise
    entries: tuple[MenuEntry, ...]


@dataclass(frozen=True, kw_only=True)
class ShownEntry:
    key: str
    label: str | Promise
    href: str
    current: bool
    badge: int = 0


@dataclass(frozen=True, kw_only=True)
class ShownGroup:
    key: str
    label: str | Promise
    entries: list[ShownEntry] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(entry.current for entry in self.entries)

    @property
    def badge(self) -> int:
        return sum(entry.badge for entry in self.entries)


@dataclass(frozen=True, kw_only=True)
class ShownMenu:
    groups: list[ShownGroup]
    grouped: bool  # False: every entry side by side

    @property
    def entries(self) -> list[ShownEntry]:
        return [entry for group in self.groups for entry in group.entries]


def menu_for(*, user: AnyUser, path: str, groups: Sequence[MenuGroup]) -> ShownMenu:
    """The entries `user` may open, in their groups, with the one for `path` marked current."""
    if not user.is_authenticated:
        return ShownMenu(groups=[], grouped=False)
    shown: list[ShownGroup] = []
    for group in groups:
        entries: list[ShownEntry] = []
        for entry in group.entries:
            if not entry.allowed(user):
                continue
            badge = 0
            if entry.badge is not None:
                count = entry.badge(user=user)
                if count is None:
                    continue
                badge = count
            href = reverse(entry.url_name)
            current = path == href or (entry.prefix and path.startswith(href))
            entries.append(
                ShownEntry(
                    key=entry.key or entry.url_name.replace(":", "-"),
                    label=entry.label,
                    href=href,
                    current=current,
                    badge=badge,
                )
            )
        if entries:
            shown.append(ShownGroup(key=group.key, label=group.label, entries=entries))
    total = sum(len(group.entries) for group in shown)
    return ShownMenu(groups=shown, grouped=total > FLAT_MAX)
