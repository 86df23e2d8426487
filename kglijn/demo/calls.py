"""The demo's telephony calls (written by the steering demo, kglijn/steering/demo.py): their
call ids start with CALL_PREFIX, so `kglijn demo --reset` removes them before the contacts they
point at."""

from __future__ import annotations

from django.db import connection

from kglijn.telephony.models import Call, CallLeg

CALL_PREFIX = "demo-"  # every demo call's call_id starts with it


def demo_calls_delete() -> int:
    """Remove the demo's calls and their legs (raw SQL: a full year is ~150,000 calls)."""
    quote = connection.ops.quote_name
    call_table, leg_table = quote(Call._meta.db_table), quote(CallLeg._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {leg_table} WHERE {quote('call_id')} IN "  # noqa: S608
            f"(SELECT {quote('id')} FROM {call_table} WHERE {quote('call_id')} LIKE %s)",
            [f"{CALL_PREFIX}%"],
        )
        cursor.execute(
            f"DELETE FROM {call_table} WHERE {quote('call_id')} LIKE %s",  # noqa: S608
            [f"{CALL_PREFIX}%"],
        )
        return max(int(cursor.rowcount), 0)
