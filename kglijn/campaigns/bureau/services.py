"""Loading a bureau's results into a campaign (issue 20 item 5, docs/campaigns-bureau.md).

Three files, each CSV (`;` or `,`, UTF-8) or the first sheet of an .xlsx:

- the **population margins** `variabele;categorie;populatie`: the population per category of
  each weighting variable (a strata variable of the campaign) → `PopulationCount`, replacing
  the campaign's margins; every variable adds up to the same total;
- optionally the **stratum plan** `stratum;populatie;steekproef` → `StratumPlan`;
- the **respondents**: one row per respondent, `sleutel` (unique), `wijze`
  (web/telefonisch/papier), `volledig` (ja/nee; nee = a drop-out), optional `gestopt_bij` (the
  item position a drop-out reached) and `ingevuld_op` (the date), one column per strata
  variable, and per item of the campaign's version `<key>` (overall score 0-10, a choice value,
  open text) or `<key>_tevredenheid` and `<key>_belang` (a rated item, 0-10). Empty = no answer.

Every error names the row (the header is row 1) and the column; nothing is written when there
is any. A new respondents file replaces the previous import as a whole (the file is the bureau's
complete delivery), so loading the same file twice gives the same responses.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.campaigns.bureau.files import Errors, FileRejected, cell_problem, table_read
from kglijn.campaigns.bureau.rows import db_datetime, db_json, insert_rows
from kglijn.campaigns.models import (
    SCORE_MAX,
    SCORE_MIN,
    Answer,
    Campaign,
    Item,
    ItemKind,
    Mode,
    PopulationCount,
    PopulationKind,
    Response,
    ResponseSource,
    StratumPlan,
)
from kglijn.campaigns.strata import SEPARATOR, stratum_key
from kglijn.core.audit import audit_record
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent

MAX_BYTES = 50_000_000
MAX_ROWS = 200_000
MAX_MARGIN_ROWS = 20_000
MAX_TEXT = 4000
MAX_KEY = 100
MAX_CATEGORY = 100
MAX_POPULATION = 100_000_000
EARLIEST = dt.date(2000, 1, 1)

KEY, MODE, COMPLETE, STOPPED_AT, DATE = "sleutel", "wijze", "volledig", "gestopt_bij", "ingevuld_op"
SATISFACTION_SUFFIX, IMPORTANCE_SUFFIX = "_tevredenheid", "_belang"
MODES = {"web": Mode.WEB, "telefonisch": Mode.PHONE, "papier": Mode.PAPER}
YES_NO = {"ja": True, "nee": False}
MARGIN_COLUMNS = ("variabele", "categorie", "populatie")
PLAN_COLUMNS = ("stratum", "populatie", "steekproef")
RESPONSE_FIELDS = (
    "campaign_id",
    "source",
    "import_key",
    "mode",
    "language",
    "strata",
    "stratum",
    "started_at",
    "completed_at",
    "last_position",
)
ANSWER_FIELDS = ("response_id", "item_id", "satisfaction", "importance", "score", "choice", "text")
_DATE_DMY = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")


class NotABureauCampaign(ValueError):
    """Only a campaign whose population is a bureau's results takes a bureau's files."""


@dataclass(frozen=True)
class MarginsResult:
    margins: int
    variables: tuple[str, ...]
    plans: int | None  # None: no plan file


@dataclass(frozen=True)
class ImportResult:
    complete: int
    dropouts: int
    answers: int
    replaced: int  # responses of the previous import that this one replaced
    seconds: float


def _check_bureau(campaign: Campaign) -> None:
    if campaign.population_kind != PopulationKind.BUREAU:
        raise NotABureauCampaign(campaign.pk)


def _positions(header: list[str], columns: Sequence[str]) -> dict[str, int]:
    missing = [name for name in columns if name not in header]
    if missing:
        raise FileRejected(
            [
                _("Row 1: the column(s) %(missing)s are missing; expected %(columns)s.")
                % {"missing": ", ".join(missing), "columns": ";".join(columns)}
            ]
        )
    return {name: header.index(name) for name in columns}


def _count(text: str) -> int | None:
    cleaned = text.replace(".", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned.isascii() or not cleaned.isdigit():
        return None
    value = int(cleaned)
    return value if value <= MAX_POPULATION else None


def _values(row: list[str], positions: dict[str, int]) -> dict[str, str]:
    return {name: (row[i] if i < len(row) else "") for name, i in positions.items()}


# --- margins and plan ---------------------------------------------------------------------------


def _margins_parse(campaign: Campaign, content: bytes, file_name: str) -> list[PopulationCount]:
    table = table_read(content, file_name=file_name, max_bytes=MAX_BYTES, max_rows=MAX_MARGIN_ROWS)
    positions = _positions(table.header, MARGIN_COLUMNS)
    variables = list(campaign.strata_variables)
    errors = Errors()
    seen: dict[tuple[str, str], int] = {}
    counts: list[PopulationCount] = []
    for number, row in table.rows:
        values = _values(row, positions)
        broken = False
        for column, value in values.items():
            if problem := cell_problem(value):
                errors.add(number, column, problem)
                broken = True
        if broken:
            continue
        variable, category = values["variabele"], values["categorie"]
        if variable not in variables:
            errors.add(
                number,
                "variabele",
                _("%(value)s is not a strata variable of this survey (%(variables)s)")
                % {"value": variable or "''", "variables": ", ".join(variables) or "—"},
            )
        if not category:
            errors.add(number, "categorie", _("empty"))
        elif len(category) > MAX_CATEGORY:
            errors.add(number, "categorie", _("longer than %(n)d characters") % {"n": MAX_CATEGORY})
        elif (variable, category) in seen:
            errors.add(
                number,
                "categorie",
                _("already on row %(row)d") % {"row": seen[(variable, category)]},
            )
        else:
            seen[(variable, category)] = number
        count = _count(values["populatie"])
        if count is None:
            errors.add(
                number,
                "populatie",
                _("not a whole number from 0 to %(max)s") % {"max": f"{MAX_POPULATION:,}"},
            )
        elif variable in variables and category:
            counts.append(
                PopulationCount(
                    campaign=campaign, variable=variable, category=category, count=count
                )
            )
    errors.raise_if_any()
    if not counts:
        raise FileRejected([_("The margins file has no rows.")])
    totals: dict[str, int] = {}
    for margin in counts:
        totals[margin.variable] = totals.get(margin.variable, 0) + margin.count
    if len(set(totals.values())) > 1:
        raise FileRejected(
            [
                _("Every variable must add up to the same population; now %(totals)s.")
                % {"totals": ", ".join(f"{name} {total:,}" for name, total in totals.items())}
            ]
        )
    if 0 in totals.values():
        raise FileRejected([_("The population is 0.")])
    return counts


def _stratum_normalised(text: str, variables: Sequence[str]) -> str | None:
    """The canonical stratum key of a plan row: the key itself ("provincie=Antwerpen |
    taal=nl") or the values in the order of the strata variables ("Antwerpen | nl")."""
    parts = [part.strip() for part in text.split(SEPARATOR.strip())]
    if not variables:
        return stratum_key({}, variables) if text.lower() in ("alle", "") else None
    if len(parts) != len(variables) or not all(parts):
        return None
    values: dict[str, str] = {}
    for variable, part in zip(variables, parts, strict=True):
        name, equals, value = part.partition("=")
        if equals:
            if name.strip() != variable or not value.strip():
                return None
            values[variable] = value.strip()
        else:
            values[variable] = part
    return stratum_key(values, variables)


def _plan_parse(campaign: Campaign, content: bytes, file_name: str) -> list[StratumPlan]:
    table = table_read(content, file_name=file_name, max_bytes=MAX_BYTES, max_rows=MAX_MARGIN_ROWS)
    positions = _positions(table.header, PLAN_COLUMNS)
    variables = list(campaign.strata_variables)
    errors = Errors()
    seen: dict[str, int] = {}
    plans: list[StratumPlan] = []
    example = " | ".join(f"{name}=…" for name in variables) or "alle"
    for number, row in table.rows:
        values = _values(row, positions)
        if any(cell_problem(value) for value in values.values()):
            errors.add(number, "stratum", _("contains a NUL or an invalid character"))
            continue
        key = _stratum_normalised(values["stratum"], variables)
        if key is None or len(key) > 300:
            errors.add(
                number,
                "stratum",
                _("not a stratum of this survey (%(example)s)") % {"example": example},
            )
        elif key in seen:
            errors.add(number, "stratum", _("already on row %(row)d") % {"row": seen[key]})
        else:
            seen[key] = number
        population = _count(values["populatie"])
        sample = _count(values["steekproef"])
        if population is None:
            errors.add(number, "populatie", _("not a whole number"))
        if sample is None:
            errors.add(number, "steekproef", _("not a whole number"))
        elif population is not None and sample > population:
            errors.add(number, "steekproef", _("larger than the population"))
        if key is not None and population is not None and sample is not None:
            plans.append(
                StratumPlan(campaign=campaign, stratum=key, population=population, sample=sample)
            )
    errors.raise_if_any()
    if not plans:
        raise FileRejected([_("The stratum plan has no rows.")])
    return plans


def margins_import(
    *,
    campaign: Campaign,
    by: User | AnonymousUser | None,
    margins: bytes,
    margins_name: str,
    plan: bytes | None = None,
    plan_name: str = "",
) -> MarginsResult:
    """Replace the campaign's population margins (and its stratum plan when a plan file is
    given) in one transaction; raises FileRejected (errors prefixed with the file) and writes
    nothing on any error. Sets the campaign's weighting variables to the margins' variables."""
    _check_bureau(campaign)
    try:
        counts = _margins_parse(campaign, margins, margins_name)
    except FileRejected as exc:
        raise FileRejected(
            [_("Margins: %(error)s") % {"error": error} for error in exc.errors], exc.total
        ) from None
    plans: list[StratumPlan] | None = None
    if plan is not None:
        try:
            plans = _plan_parse(campaign, plan, plan_name)
        except FileRejected as exc:
            raise FileRejected(
                [_("Stratum plan: %(error)s") % {"error": error} for error in exc.errors],
                exc.total,
            ) from None
    variables = tuple(dict.fromkeys(margin.variable for margin in counts))
    with transaction.atomic():
        PopulationCount.objects.filter(campaign=campaign).delete()
        PopulationCount.objects.bulk_create(counts)
        if plans is not None:
            StratumPlan.objects.filter(campaign=campaign).delete()
            StratumPlan.objects.bulk_create(plans)
            # The plan's "steekproef" is whom the bureau invited: the methodology page reads
            # the bureau's own numbers from population_criteria["reported"].
            criteria = dict(campaign.population_criteria or {})
            reported = dict(criteria.get("reported") or {})
            reported["population"] = sum(plan.population for plan in plans)
            reported["sample"] = reported["invited"] = sum(plan.sample for plan in plans)
            criteria["reported"] = reported
            campaign.population_criteria = criteria
            Campaign.objects.filter(pk=campaign.pk).update(population_criteria=criteria)
        Campaign.objects.filter(pk=campaign.pk).update(
            weighting_variables=list(variables), weighted_at=None, weighting_report={}
        )
        Response.objects.filter(campaign=campaign).update(weight=None)
        campaign.weighting_variables = list(variables)
        campaign.weighted_at = None
        campaign.weighting_report = {}
        audit_record(
            actor=by,
            action=AuditEvent.Action.CHANGE,
            object_type="campaigns.campaign",
            object_id=campaign.pk,
            detail={
                "event": "bureau_margins_import",
                "file_name": margins_name[-255:],
                "margins": len(counts),
                "plan_file_name": plan_name[-255:] if plans is not None else "",
                "strata": len(plans) if plans is not None else None,
            },
        )
    return MarginsResult(
        margins=len(counts), variables=variables, plans=len(plans) if plans is not None else None
    )


# --- respondents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    item: Item
    field: str  # satisfaction | importance | score | choice | text


def _item_columns(campaign: Campaign) -> tuple[list[Item], dict[str, _Column]]:
    items = list(campaign.version.items.order_by("position"))
    columns: dict[str, _Column] = {}
    for item in items:
        key = item.key.lower()
        if item.kind == ItemKind.RATED:
            columns[key + SATISFACTION_SUFFIX] = _Column(item, "satisfaction")
            columns[key + IMPORTANCE_SUFFIX] = _Column(item, "importance")
        elif item.kind == ItemKind.OVERALL:
            columns[key] = _Column(item, "score")
        elif item.kind == ItemKind.CHOICE:
            columns[key] = _Column(item, "choice")
        else:
            columns[key] = _Column(item, "text")
    return items, columns


def respondents_columns(campaign: Campaign) -> list[str]:
    """The respondents file's header for the campaign's version, in order."""
    _, columns = _item_columns(campaign)
    return [KEY, MODE, COMPLETE, STOPPED_AT, DATE, *campaign.strata_variables, *columns]


def respondents_template_csv(campaign: Campaign) -> bytes:
    """The header row of the respondents file (`;`, UTF-8 with BOM for Excel)."""
    return ("\ufeff" + ";".join(respondents_columns(campaign)) + "\r\n").encode()


def _date(text: str) -> dt.date | None:
    text = text.strip()
    try:
        if "T" in text or " " in text:
            return dt.datetime.fromisoformat(text).date()
        if match := _DATE_DMY.match(text):
            day, month, year = (int(group) for group in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class _Row:
    number: int
    key: str
    mode: str
    complete: bool
    stopped_at: int | None
    date: dt.date | None
    strata: dict[str, str]
    answers: list[tuple[Item, dict[str, Any]]]


def _respondents_parse(campaign: Campaign, content: bytes, file_name: str) -> list[_Row]:
    table = table_read(content, file_name=file_name, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    items, item_columns = _item_columns(campaign)
    strata_variables = list(campaign.strata_variables)
    expected = respondents_columns(campaign)
    required = [name for name in expected if name not in (STOPPED_AT, DATE)]
    header = table.header
    problems: list[str] = []
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(
            _("Row 1: the column(s) %(missing)s are missing (download the template).")
            % {"missing": ", ".join(missing)}
        )
    unknown = [name for name in header if name not in expected]
    if unknown:
        problems.append(
            _("Row 1: unknown column(s) %(unknown)s (download the template).")
            % {"unknown": ", ".join(name or "''" for name in unknown)}
        )
    doubled = sorted({name for name in header if name and header.count(name) > 1})
    if doubled:
        problems.append(_("Row 1: column(s) %(names)s twice.") % {"names": ", ".join(doubled)})
    if problems:
        raise FileRejected(problems)
    if not table.rows:
        raise FileRejected([_("The file has no respondents below the header.")])
    index = {name: header.index(name) for name in expected if name in header}
    width = len(header)
    categories: dict[str, set[str]] = {}
    for variable, category in PopulationCount.objects.filter(campaign=campaign).values_list(
        "variable", "category"
    ):
        categories.setdefault(variable, set()).add(category)
    choices = {
        item.pk: {
            str(choice.get("value", "")).lower(): str(choice.get("value", ""))
            for choice in item.choices
        }
        for item in items
        if item.kind == ItemKind.CHOICE
    }
    last_position = max((item.position for item in items), default=0)
    today = timezone.localdate()
    score_columns = [(name, index[name], column) for name, column in item_columns.items()]
    errors = Errors()
    seen: dict[str, int] = {}
    rows: list[_Row] = []
    for number, cells in table.rows:
        if len(cells) > width and any(cells[width:]):
            errors.add(number, str(width + 1), _("a value right of the last column"))
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        if not table.clean:
            bad = False
            for position, cell in enumerate(cells[:width]):
                if cell and (problem := cell_problem(cell)):
                    errors.add(number, header[position], problem)
                    bad = True
            if bad:
                continue
        key = cells[index[KEY]]
        if not key:
            errors.add(number, KEY, _("empty"))
        elif len(key) > MAX_KEY:
            errors.add(number, KEY, _("longer than %(n)d characters") % {"n": MAX_KEY})
        elif key in seen:
            errors.add(number, KEY, _("already on row %(row)d") % {"row": seen[key]})
        else:
            seen[key] = number
        mode = MODES.get(cells[index[MODE]].lower())
        if mode is None:
            errors.add(number, MODE, _("not one of web, telefonisch, papier"))
        complete = YES_NO.get(cells[index[COMPLETE]].lower())
        if complete is None:
            errors.add(number, COMPLETE, _("not ja or nee"))
        stopped_at: int | None = None
        if STOPPED_AT in index and (text := cells[index[STOPPED_AT]]):
            if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= last_position:
                errors.add(
                    number,
                    STOPPED_AT,
                    _("not an item position from 1 to %(n)d") % {"n": last_position},
                )
            elif complete:
                errors.add(number, STOPPED_AT, _("only for a drop-out (volledig = nee)"))
            else:
                stopped_at = int(text)
        date: dt.date | None = None
        if DATE in index and (text := cells[index[DATE]]):
            date = _date(text)
            if date is None:
                errors.add(number, DATE, _("not a date (YYYY-MM-DD or DD/MM/YYYY)"))
            elif not EARLIEST <= date <= today:
                errors.add(number, DATE, _("not a date from 2000 to today"))
                date = None
        strata: dict[str, str] = {}
        for variable in strata_variables:
            value = cells[index[variable]]
            if not value:
                errors.add(number, variable, _("empty"))
            elif len(value) > MAX_CATEGORY:
                errors.add(
                    number, variable, _("longer than %(n)d characters") % {"n": MAX_CATEGORY}
                )
            elif variable in categories and value not in categories[variable]:
                errors.add(
                    number,
                    variable,
                    _("%(value)s is not a category of the population margins") % {"value": value},
                )
            else:
                strata[variable] = value
        answers: dict[int, tuple[Item, dict[str, Any]]] = {}
        for name, position, column in score_columns:
            text = cells[position]
            if not text:
                continue
            answer: str | int | None
            if column.field == "text":
                if len(text) > MAX_TEXT:
                    errors.add(number, name, _("longer than %(n)d characters") % {"n": MAX_TEXT})
                    continue
                answer = text
            elif column.field == "choice":
                answer = choices[column.item.pk].get(text.lower())
                if answer is None:
                    errors.add(
                        number,
                        name,
                        _("%(value)s is not one of %(choices)s")
                        % {
                            "value": text[:40],
                            "choices": ", ".join(choices[column.item.pk].values()),
                        },
                    )
                    continue
            else:
                if (
                    not text.isascii()
                    or not text.isdigit()
                    or not SCORE_MIN <= int(text) <= SCORE_MAX
                ):
                    errors.add(number, name, _("not a whole number from 0 to 10"))
                    continue
                answer = int(text)
            answers.setdefault(column.item.pk, (column.item, {}))[1][column.field] = answer
        if errors.total:
            continue  # nothing will be written: only keep validating
        assert mode is not None
        assert complete is not None
        rows.append(
            _Row(
                number=number,
                key=key,
                mode=mode,
                complete=complete,
                stopped_at=stopped_at,
                date=date,
                strata=strata,
                answers=list(answers.values()),
            )
        )
    errors.raise_if_any()
    return rows


def _previous_import_delete(campaign: Campaign) -> int:
    """Delete the campaign's bureau responses and their answers by plain DELETEs (no row is
    loaded; only answers refer to a response); returns how many responses there were."""
    replaced = Response.objects.filter(campaign=campaign, source=ResponseSource.BUREAU).count()
    if replaced:
        answers = connection.ops.quote_name(Answer._meta.db_table)
        responses = connection.ops.quote_name(Response._meta.db_table)
        where = "WHERE campaign_id = %s AND source = %s"
        parameters: list[int | str] = [campaign.pk, ResponseSource.BUREAU.value]
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {answers} WHERE response_id IN "  # noqa: S608 - model table names
                f"(SELECT id FROM {responses} {where})",
                parameters,
            )
            cursor.execute(f"DELETE FROM {responses} {where}", parameters)  # noqa: S608
    return replaced


def respondents_import(
    *,
    campaign: Campaign,
    by: User | AnonymousUser | None,
    content: bytes,
    file_name: str,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Load the bureau's respondents file into `campaign`, replacing its previous import, in
    one transaction; raises FileRejected with every error (row and column) and writes nothing
    on any. Clears the campaign's weights (they belong to the replaced responses)."""
    _check_bureau(campaign)
    started = time.perf_counter()
    rows = _respondents_parse(campaign, content, file_name)
    now = now or timezone.now()
    variables = list(campaign.strata_variables)
    last_position = max(campaign.version.items.values_list("position", flat=True), default=None)
    response_rows: list[tuple[Any, ...]] = []
    for row in rows:
        moment = db_datetime(
            dt.datetime.combine(row.date, dt.time(12), tzinfo=BRUSSELS) if row.date else now
        )
        if row.complete:
            reached = last_position
        elif row.stopped_at is not None:
            reached = row.stopped_at
        else:
            reached = max((item.position for item, _values in row.answers), default=None)
        response_rows.append(
            (
                campaign.pk,
                ResponseSource.BUREAU.value,
                row.key,
                row.mode,
                "nl-be",
                db_json(row.strata),
                stratum_key(row.strata, variables),
                moment,
                moment if row.complete else None,
                reached,
            )
        )
    with transaction.atomic():
        replaced = _previous_import_delete(campaign)
        insert_rows(Response, RESPONSE_FIELDS, response_rows)
        ids = dict(
            Response.objects.filter(campaign=campaign, source=ResponseSource.BUREAU).values_list(
                "import_key", "pk"
            )
        )
        answers = [
            (
                ids[row.key],
                item.pk,
                values.get("satisfaction"),
                values.get("importance"),
                values.get("score"),
                values.get("choice", ""),
                values.get("text", ""),
            )
            for row in rows
            for item, values in row.answers
        ]
        insert_rows(Answer, ANSWER_FIELDS, answers)
        Response.objects.filter(campaign=campaign).update(weight=None)
        Campaign.objects.filter(pk=campaign.pk).update(weighted_at=None, weighting_report={})
        campaign.weighted_at = None
        campaign.weighting_report = {}
        version = campaign.version
        if version.frozen_at is None:
            version.frozen_at = now
            version.save(update_fields=["frozen_at"])
        complete = sum(1 for row in rows if row.complete)
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            object_type="campaigns.campaign",
            object_id=campaign.pk,
            detail={
                "event": "bureau_respondents_import",
                "file_name": file_name[-255:],
                "respondents": len(rows),
                "complete": complete,
                "dropouts": len(rows) - complete,
                "answers": len(answers),
                "replaced": replaced,
            },
        )
    return ImportResult(
        complete=complete,
        dropouts=len(rows) - complete,
        answers=len(answers),
        replaced=replaced,
        seconds=time.perf_counter() - started,
    )
