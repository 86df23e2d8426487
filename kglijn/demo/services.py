"""`kglijn demo`: load calibrated demo contacts, remove them again, ensure the demo users."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from tqdm import tqdm

from kglijn.contacts.models import (
    Contact,
    Customer,
    Escalation,
    Reason,
    ReferralOrganisation,
)
from kglijn.contacts.rollups.services import rollups_rebuild
from kglijn.contacts.services import AUDIT_TYPE, referral_save
from kglijn.core.bulk import BulkWriter, TableSpec, fast_writes, first_free_ids, m2m_spec
from kglijn.core.bulk import table_spec as make_table_spec
from kglijn.core.models import AuditEvent
from kglijn.demo.calls import demo_calls_delete
from kglijn.demo.generator import (
    CONTACT_CONSTANTS,
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    ESCALATION_FIELDS,
    Catalogue,
    CustomerPool,
    IdCounters,
    YearGenerator,
)
from kglijn.demo.opgroeipunt import opgroeipunt_demo_delete, opgroeipunt_demo_load
from kglijn.demo.plan import REFERRAL_WEIGHTS, YearPlan, year_plan
from kglijn.demo.surveys import demo_surveys_delete, demo_surveys_write
from kglijn.demo.timeline import TimestampText
from kglijn.demo.users import demo_handler_ids, demo_users_ensure
from kglijn.demo.vocabulary import DEMO_EMAIL_DOMAIN, EXTRA_REFERRALS, REASON_WEIGHTS
from kglijn.feedback.demo import feedback_demo_load
from kglijn.knowledge.demo import knowledge_demo_load
from kglijn.knowledge.models import ArticleUse

DEFAULT_SEED = 20231106  # the date of the parliamentary question (000)
DEFAULT_YEARS = (2019, 2020, 2021, 2022, 2023)
OPGROEIPUNT_YEARS = (2021, 2022, 2023)


class DemoError(Exception):
    """The demo cannot run as asked; the message says why and what to do."""


@dataclass
class DemoResult:
    years: tuple[int, ...]
    seed: int
    scale: float
    skipped: bool = False  # --if-empty and the register already had contacts
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows removed (--reset)
    seconds: float = 0.0
    plans: list[YearPlan] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _demo_referrals_ensure() -> None:
    existing = set(ReferralOrganisation.objects.values_list("code", flat=True))
    for code, name in EXTRA_REFERRALS:
        if code not in existing:
            referral_save(code=code, name=name)


def _catalogue() -> Catalogue:
    reason_codes = [code for weights in REASON_WEIGHTS.values() for code in weights]
    reasons = dict(Reason.objects.filter(code__in=reason_codes).values_list("code", "pk"))
    referrals = dict(
        ReferralOrganisation.objects.filter(code__in=list(REFERRAL_WEIGHTS)).values_list(
            "code", "pk"
        )
    )
    missing = sorted(set(reason_codes) - set(reasons)) + sorted(
        set(REFERRAL_WEIGHTS) - set(referrals)
    )
    if missing:
        raise DemoError(f"catalogue codes missing (run `kglijn migrate`): {', '.join(missing)}")
    return Catalogue(reason_ids=reasons, referral_ids=referrals, handlers=demo_handler_ids())


def _table_specs() -> dict[str, TableSpec]:
    return {
        "customers": make_table_spec(Customer, CUSTOMER_FIELDS, connection=connection),
        "contacts": make_table_spec(
            Contact, CONTACT_FIELDS, connection=connection, constants=CONTACT_CONSTANTS
        ),
        "escalations": make_table_spec(Escalation, ESCALATION_FIELDS, connection=connection),
        "contact reasons": m2m_spec(Contact, "reasons", connection=connection),
        "contact referrals": m2m_spec(Contact, "referrals", connection=connection),
    }


def _referring(
    model: type[models.Model], exclude: type[models.Model], **lookup: object
) -> list[str]:
    """Names of other models with rows that refer to rows of `model` matching `lookup`."""
    found = []
    for relation in model._meta.related_objects:
        related = relation.related_model
        if related is exclude or not isinstance(related, type):
            continue
        name = relation.field.name
        condition = {f"{name}__{key}": value for key, value in lookup.items()}
        if related._base_manager.filter(**condition).exists():
            found.append(str(related._meta.verbose_name))
    return found


def _delete_all(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return max(int(cursor.rowcount), 0)


@transaction.atomic
def demo_reset() -> dict[str, int]:
    """Delete every contact with its reason/referral links and escalations, the contact audit
    events and the demo customers (e-mail @kglijn-demo.example). Nothing else: users,
    catalogues, closing days, other customers and other audit events stay.

    Refuses (DemoError, nothing deleted) when other records point at contacts or demo customers.
    """
    deleted_surveys = demo_surveys_delete()  # survey rows hang on the contacts: they go first
    # The steering demo's calls point at the phone contacts: they go before them.
    deleted_calls = demo_calls_delete()
    # Which knowledge article helped on which contact: the use is kept, the link goes.
    ArticleUse.objects.filter(contact__isnull=False).update(contact=None)
    blocking = _referring(Contact, Escalation, isnull=False) + _referring(
        Customer, Contact, email__endswith=f"@{DEMO_EMAIL_DOMAIN}"
    )
    if blocking:
        raise DemoError(
            f"other records refer to contacts or demo customers ({', '.join(blocking)}); "
            "remove them before --reset"
        )
    specs = _table_specs()
    deleted = {}
    for name in ("contact reasons", "contact referrals", "escalations", "contacts"):
        deleted[name] = _delete_all(specs[name].table)
    deleted["audit events"] = AuditEvent.objects.filter(object_type=AUDIT_TYPE).delete()[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(Customer._meta.db_table)} "  # noqa: S608
            f"WHERE {connection.ops.quote_name('email')} LIKE %s",
            [f"%@{DEMO_EMAIL_DOMAIN}"],
        )
        deleted["customers"] = max(int(cursor.rowcount), 0)
    rollups_rebuild()  # no contacts left: empties the rollups
    deleted |= opgroeipunt_demo_delete()  # the Opgroeipunt demo (external ids "demo-")
    return deleted | deleted_surveys | {"demo calls": deleted_calls}


def _with_opgroeipunt(years: Sequence[int], scale: float) -> bool:
    """Opgroeipunt's demo comes with a full-scale demo of its years 2021-2023: its counts are
    absolute, so a scaled-down or one-year demo (a quick look, the tests) leaves it out;
    `kglijn demo --opgroeipunt-only` loads it on its own."""
    return scale >= 1 and set(OPGROEIPUNT_YEARS) <= set(years)


def demo_plans(*, years: Sequence[int], scale: float = 1.0) -> list[YearPlan]:
    """The exact counts a load with these arguments writes (no database needed)."""
    return [year_plan(year, scale=scale) for year in sorted(set(years))]


def demo_load(
    *,
    years: Sequence[int] = DEFAULT_YEARS,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    progress: bool = False,
    reset: bool = False,
    if_empty: bool = False,
) -> DemoResult:
    """Write demo contacts whose yearly figures equal the source tables (see docs/demo.md).

    Deterministic for (years, scale, seed) on an empty register. All or nothing: one
    transaction. Without `reset` the register must be empty (`if_empty`: then skip quietly).
    """
    started = time.perf_counter()
    plans = demo_plans(years=years, scale=scale)
    result = DemoResult(years=tuple(plan.year for plan in plans), seed=seed, scale=scale)
    result.plans = plans
    demo_users_ensure()
    if not reset and Contact.objects.exists():
        if if_empty:
            result.skipped = True
            # A register from before Opgroeipunt: its demo is loaded all the same (once).
            if _with_opgroeipunt(years, scale):
                result.rows = opgroeipunt_demo_load(seed=seed, progress=progress)
            result.seconds = time.perf_counter() - started
            return result
        raise DemoError(
            f"the register already holds {Contact.objects.count()} contacts: "
            "use --reset to replace them or --if-empty to keep them"
        )
    _demo_referrals_ensure()
    catalogue = _catalogue()
    stamp = TimestampText("+00" if connection.vendor == "postgresql" else "")
    with fast_writes(connection), transaction.atomic():
        if reset:
            result.deleted = demo_reset()
        specs = _table_specs()
        writer = BulkWriter(connection)
        next_ids = first_free_ids(
            [
                specs[name]
                for name in (
                    "contacts",
                    "customers",
                    "escalations",
                    "contact reasons",
                    "contact referrals",
                )
            ],
            connection,
        )
        ids = IdCounters(*next_ids)
        pool = CustomerPool()
        result.rows = dict.fromkeys(specs, 0)
        for plan in plans:
            with tqdm(
                total=plan.contacts_total,
                desc=f"demo {plan.year}",
                unit=" contacts",
                file=sys.stderr,
                disable=not progress,
                leave=True,
            ) as bar:
                bar.set_postfix_str("generating")
                rows = YearGenerator(
                    plan, seed=seed, catalogue=catalogue, ids=ids, pool=pool, stamp=stamp
                ).generate()
                bar.set_postfix_str("writing")
                tables = {
                    "customers": rows.customers,
                    "contacts": rows.contacts,
                    "escalations": rows.escalations,
                    "contact reasons": rows.reasons,
                    "contact referrals": rows.referrals,
                }
                for name, table_rows in tables.items():
                    result.rows[name] += writer.write(
                        specs[name],
                        table_rows,
                        on_chunk=bar.update if name == "contacts" else None,
                    )
                bar.set_postfix_str(
                    f"{len(rows.reasons)} reasons, {len(rows.referrals)} referrals, "
                    f"{len(rows.customers)} customers"
                )
                del rows, tables  # a year's rows are ~150 MB of tuples: free before the next
        result.rows |= demo_surveys_write(writer=writer, seed=seed)
        writer.finish()
        rollups_rebuild(progress=progress)  # the bulk rows bypassed the services' deltas
    feedback = feedback_demo_load(seed=seed)  # visits up to today: the feedback pages' months
    result.rows |= {"visits": feedback.visits, "visit feedback": feedback.answers}
    knowledge = knowledge_demo_load()
    result.rows |= {"knowledge articles": knowledge.articles + knowledge.templates}
    # Opgroeipunt (issue 17): 2021, 2022 and 2023 to 5 June equal 002's table.
    if _with_opgroeipunt(years, scale):
        result.rows |= opgroeipunt_demo_load(seed=seed, progress=progress, reset=reset)
    result.seconds = time.perf_counter() - started
    return result
