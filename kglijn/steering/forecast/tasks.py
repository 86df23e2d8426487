"""A new forecast on demand through the Tasks API (django-tasks, ADR 0013), like the risk model's
retraining: under the immediate backend it runs at once (about a second on the demo's volume),
under `database` a `kglijn worker` runs it and the page shows the run when it is stored."""

from __future__ import annotations

from django.contrib.auth.models import User
from django_tasks import task

from kglijn.steering.forecast.services import ForecastRefused, forecast_run


@task()
def forecast_run_task(*, channel: str, weeks: int, user_id: int | None) -> dict[str, object]:
    """{"run": id} when stored, {"refused": reason} when the history is too short."""
    by = User.objects.filter(pk=user_id).first() if user_id is not None else None
    try:
        run = forecast_run(channel=channel, weeks=weeks, user=by)
    except ForecastRefused as exc:
        return {"refused": str(exc)}
    return {"run": run.pk}
