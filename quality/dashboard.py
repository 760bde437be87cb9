"""What the admin dashboard shows. Runs and waiting work of other apps come through the run
registry (themepark.run_registry), which those apps fill; a section whose role nobody registered is
marked unavailable."""
from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from themepark.models import Park
from themepark.run_registry import runs_source

from . import reports
from .choices import ResolutionStatus
from .models import DataQualityLog
from .timelines import parks_freshness


def changelist_url(model, **query) -> str | None:
    if model is None:
        return None
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def change_url(obj) -> str | None:
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def _runs(role: str, limit: int = 5) -> dict:
    source = runs_source(role)
    if source is None:
        return {"available": False, "label": role}
    model, label = source.model, source.label
    rows = list(model.objects.order_by("-pk")[:limit])
    return {"available": True, "label": label, "url": changelist_url(model),
            "rows": [{"text": str(r), "status": getattr(r, "status", ""), "started_at": getattr(r, "started_at", None),
                      "finished_at": getattr(r, "finished_at", None), "url": change_url(r)} for r in rows]}


def _waiting(role: str) -> dict:
    source = runs_source(role)
    if source is None:
        return {"available": False, "label": role}
    model, label, status = source.model, source.label, source.waiting_status
    rows = model.objects.filter(status=status)
    return {"available": True, "label": label, "count": rows.count(), "rows": [str(r) for r in rows[:10]],
            "url": changelist_url(model, status__exact=status)}


def dashboard_context() -> dict:
    freshness = parks_freshness()
    for row in freshness:
        row["url"] = changelist_url(DataQualityLog, park__id__exact=row["park_id"])
        row["park_url"] = reverse("admin:themepark_park_change", args=[row["park_id"]])
    summary = reports.quality_summary()
    issues_url = changelist_url(DataQualityLog)
    return {
        "freshness": freshness,
        "park_url": changelist_url(Park),
        "collection_runs": _runs("collection"),
        "statistics_runs": _runs("statistics"),
        "imports": _waiting("import"),
        "mappings": _waiting("mapping review"),
        "quality": summary,
        "open_issues_url": f"{issues_url}?resolution_status__exact={ResolutionStatus.OPEN}",
        "open_by_type": [(t, n, f"{issues_url}?issue_type__exact={t}&resolution_status__exact=OPEN")
                         for t, n in summary["open_by_type"].items()],
        "storage_alerts": reports.storage_alerts(),
        "storage_url": reverse("admin:quality_storage"),
    }
