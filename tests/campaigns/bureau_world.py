"""A small world for the bureau import and improvement action tests: one questionnaire version
(two themes, rated, choice, overall and open items) and a bureau campaign with two strata."""

from __future__ import annotations

import io
from collections.abc import Sequence

from kglijn.campaigns.models import (
    Audience,
    Campaign,
    Design,
    Item,
    ItemKind,
    PopulationKind,
    Questionnaire,
    QuestionnaireVersion,
    Theme,
)

STRATA = ["provincie", "type"]
HEADER = (
    "sleutel;wijze;volledig;gestopt_bij;ingevuld_op;provincie;type;"
    "bereik_tevredenheid;bereik_belang;website_tevredenheid;website_belang;kanaal;algemeen;opmerking"
)
MARGINS = (
    "variabele;categorie;populatie\n"
    "provincie;Antwerpen;600\nprovincie;Limburg;400\n"
    "type;groep;700\ntype;gezin;300\n"
)
PLAN = (
    "stratum;populatie;steekproef\n"
    "Antwerpen | groep;420;40\nprovincie=Antwerpen | type=gezin;180;20\n"
    "Limburg | groep;280;30\nLimburg | gezin;120;10\n"
)
ROWS = (
    "R1;web;ja;;2022-11-14;Antwerpen;groep;8;9;7;8;ja;8;Goed zo",
    "R2;telefonisch;ja;;;Limburg;gezin;6;10;;;nee;7;",
    "R3;web;nee;2;2022-11-20;Antwerpen;gezin;5;7;;;;;",
    "R4;papier;JA;;15/11/2022;Limburg;groep;9;8;9;9;ja;9;",
)


def questionnaire_version() -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(name="Organisatoren", audience=Audience.ORGANISERS)
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    reach = Theme.objects.create(
        version=version, key="bereikbaarheid", position=1, title_nl="Bereikbaarheid"
    )
    web = Theme.objects.create(version=version, key="website", position=2, title_nl="Website")
    Item.objects.create(
        version=version,
        theme=reach,
        key="bereik",
        position=1,
        kind=ItemKind.RATED,
        text_nl="Bereikbaarheid",
    )
    Item.objects.create(
        version=version,
        theme=web,
        key="website",
        position=2,
        kind=ItemKind.RATED,
        text_nl="Website",
    )
    Item.objects.create(
        version=version,
        key="kanaal",
        position=3,
        kind=ItemKind.CHOICE,
        text_nl="Ken je het portaal?",
        choices=[{"value": "ja", "label_nl": "Ja"}, {"value": "nee", "label_nl": "Nee"}],
    )
    Item.objects.create(
        version=version, key="algemeen", position=4, kind=ItemKind.OVERALL, text_nl="Algemeen"
    )
    Item.objects.create(
        version=version, key="opmerking", position=5, kind=ItemKind.OPEN, text_nl="Opmerking"
    )
    return version


def bureau_campaign(version: QuestionnaireVersion | None = None, **fields: object) -> Campaign:
    values: dict[str, object] = {
        "name": "Organisatoren 2022",
        "audience": Audience.ORGANISERS,
        "version": version or questionnaire_version(),
        "population_kind": PopulationKind.BUREAU,
        "strata_variables": list(STRATA),
        "design": Design.CENSUS,
    }
    values.update(fields)
    return Campaign.objects.create(**values)


def respondents_csv(rows: Sequence[str] = ROWS, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
