"""`POST /api/v1/telephony/survey/` — the IVR's answers after a call, signed like the events.

The telephony platform asks the caller the 4 questions right after the call and posts the
answers (all, or those given before the caller hung up). They are written onto the call's
contact through `survey_response_record`. Contract and status codes: docs/telephony.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kglijn.core.bounded_json import (
    JsonRefused,
    field_name,
    json_loads_bounded,
    moment_parse,
    request_body_bounded,
)
from kglijn.surveys.models import Criterion, Source
from kglijn.surveys.services import (
    MAX_EXTERNAL_ID_LENGTH,
    SurveyAlreadyAnswered,
    SurveyIdReused,
    SurveyInvalid,
    survey_answers_errors,
    survey_response_record,
)
from kglijn.telephony.events import SIGNATURE_HEADER, FieldError, signature_valid
from kglijn.telephony.models import Call

# One survey is ~300 bytes; a body far beyond that is not an IVR's.
MAX_BODY_BYTES = 16 * 1024


@dataclass(frozen=True)
class IvrSurvey:
    survey_id: str
    call_id: str
    answered_at: dt.datetime
    answers: dict[str, Any]
    complete: bool


def _errors(status: int, errors: list[FieldError], **extra: Any) -> JsonResponse:
    return JsonResponse({**extra, "errors": [error.as_dict() for error in errors]}, status=status)


def _error(status: int, field: str, message: str, **extra: Any) -> JsonResponse:
    return _errors(status, [FieldError(None, field, message)], **extra)


def _id(data: dict[str, Any], name: str, errors: list[FieldError], *, alias: str = "") -> str:
    value = data.get(name)
    if alias and alias in data:  # architecture.md's minimal body names the survey id "id"
        if name in data and data[name] != data[alias]:
            errors.append(
                FieldError(
                    None,
                    name,
                    _("“%(name)s” and “%(alias)s” are the same field; they differ here.")
                    % {"name": name, "alias": alias},
                )
            )
            return ""
        value, name = data[alias], (name if name in data else alias)
    if value is None or value == "":
        errors.append(FieldError(None, name, _("This field is required.")))
    elif not isinstance(value, str):
        errors.append(FieldError(None, name, _("Expected a string.")))
    elif len(value) > MAX_EXTERNAL_ID_LENGTH:
        errors.append(
            FieldError(
                None, name, _("At most %(max)d characters.") % {"max": MAX_EXTERNAL_ID_LENGTH}
            )
        )
    elif value != value.strip():
        errors.append(FieldError(None, name, _("No leading or trailing spaces.")))
    else:
        return value
    return ""


def _moment(
    data: dict[str, Any], errors: list[FieldError], *, received_at: dt.datetime
) -> dt.datetime | None:
    value = data.get("answered_at")
    if value is None:
        return received_at  # the minimal body has no time: the IVR posts right after the call
    # Bounded to 2000-01-01 .. a day from now: an answer dated 9999 once took the contact's
    # one survey and blocked the real answers (issue 13).
    moment = moment_parse(value)
    if isinstance(moment, str):
        errors.append(FieldError(None, "answered_at", moment))
        return None
    return moment


def ivr_survey_parse(body: bytes, *, received_at: dt.datetime | None = None) -> IvrSurvey:
    """The request's survey; raises SurveyBodyInvalid naming every wrong field.

    architecture.md's minimal body `{"id", "call_id", "answers"}` is accepted as well as the
    fuller one: `id` is `survey_id`, `answered_at` defaults to the time received and
    `complete` to whether all 4 criteria are answered."""
    try:
        data = json_loads_bounded(body)
    except JsonRefused as exc:
        raise SurveyBodyInvalid(
            [
                FieldError(None, field_name(problem.path), problem.message)
                for problem in exc.problems
            ]
        ) from exc
    if not isinstance(data, dict):
        raise SurveyBodyInvalid([FieldError(None, "body", _("Send one JSON object."))])
    # Unknown fields are ignored, like on the events webhook; an IVR has no free text, so a
    # "remark" (the only personal data it could carry) is never read.
    errors: list[FieldError] = []
    survey_id = _id(data, "survey_id", errors, alias="id")
    call_id = _id(data, "call_id", errors)
    answered_at = _moment(data, errors, received_at=received_at or timezone.now())
    complete = data.get("complete")
    answers = data.get("answers")
    if complete is None and isinstance(answers, dict):
        complete = all(answers.get(criterion) is not None for criterion in Criterion.values)
    if complete is not None and not isinstance(complete, bool):
        errors.append(
            FieldError(
                None,
                "complete",
                _(
                    "Expected true (every question answered) or false (the caller hung up); "
                    "leave it out to have it follow from the answers."
                ),
            )
        )
    if not isinstance(answers, dict):
        errors.append(
            FieldError(None, "answers", _("Expected an object of criterion: score or null."))
        )
    elif isinstance(complete, bool):
        errors.extend(
            FieldError(None, "answers" if field == "answers" else f"answers.{field}", message)
            for field, message in survey_answers_errors(answers=answers, complete=complete)
        )
    if errors or answered_at is None:
        raise SurveyBodyInvalid(errors)
    assert isinstance(answers, dict)
    assert isinstance(complete, bool)  # None only when answers was refused above
    return IvrSurvey(
        survey_id=survey_id,
        call_id=call_id,
        answered_at=answered_at,
        answers=answers,
        complete=complete,
    )


class SurveyBodyInvalid(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def _field(name: str) -> str:
    if name == "external_id":
        return "survey_id"
    if name in ("answered_at", "answers", "source", "remark"):
        return name
    return f"answers.{name}"


@csrf_exempt  # machine-to-machine; authenticated by the HMAC signature of the body
@require_POST
def telephony_survey(request: HttpRequest) -> JsonResponse:
    body = request_body_bounded(request, limit=MAX_BODY_BYTES)
    if body is None:
        return _error(
            413, "body", _("The body is larger than %(limit)d bytes.") % {"limit": MAX_BODY_BYTES}
        )
    if not signature_valid(
        body=body,
        header=request.headers.get(SIGNATURE_HEADER),
        secret=settings.KGLIJN_TELEPHONY_SECRET,
    ):
        response = _error(
            401,
            SIGNATURE_HEADER,
            _("Missing or wrong signature: expected sha256=<hex HMAC-SHA256 of the body>."),
        )
        response["WWW-Authenticate"] = 'HMAC-SHA256 header="X-KGLijn-Signature"'
        return response
    try:
        survey = ivr_survey_parse(body)
    except SurveyBodyInvalid as exc:
        return _errors(400, exc.errors)
    call = Call.objects.filter(call_id=survey.call_id).select_related("contact").first()
    if call is None:
        return _error(
            404,
            "call_id",
            _(
                "Unknown call “%(call)s”: none of its events has arrived yet. Nothing was "
                "stored; send the answers again once the call's events are delivered."
            )
            % {"call": survey.call_id},
        )
    if call.contact is None:
        return _error(
            409,
            "call_id",
            _(
                "Call “%(call)s” has no contact yet (it was not answered or its events are "
                "still incomplete). Nothing was stored; sending again later is safe."
            )
            % {"call": survey.call_id},
        )
    try:
        stored, created = survey_response_record(
            contact=call.contact,
            source=Source.IVR,
            answers=survey.answers,
            complete=survey.complete,
            answered_at=survey.answered_at,
            external_id=survey.survey_id,
        )
    except SurveyInvalid as exc:
        return _errors(400, [FieldError(None, _field(f), message) for f, message in exc.errors])
    except SurveyAlreadyAnswered:
        return _error(
            409,
            "call_id",
            _(
                "The contact of call “%(call)s” already has other survey answers; a contact "
                "is surveyed once. Nothing was stored."
            )
            % {"call": survey.call_id},
        )
    except SurveyIdReused:
        return _error(
            409,
            "survey_id",
            _("Survey id “%(id)s” was already used for another call. Nothing was stored.")
            % {"id": survey.survey_id},
        )
    return JsonResponse(
        {
            "survey_id": survey.survey_id,
            "status": "new" if created else "duplicate",
            "complete": stored.complete,
            "follow_up": hasattr(stored, "follow_up"),
        },
        status=201 if created else 200,
    )
