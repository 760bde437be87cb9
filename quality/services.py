"""Writes to the data-quality log."""
from .models import DataQualityLog


def quality_issue_record(*, issue_type, description, record_count=0, entity_type="", entity_id="",
                         park=None, ride=None, source="SYSTEM", source_key="", period_start=None,
                         period_end=None, details=None) -> DataQualityLog:
    """Add one finding to the quality log and return it."""
    return DataQualityLog.objects.create(
        issue_type=issue_type, description=description, record_count=record_count,
        entity_type=entity_type, entity_id=str(entity_id or ""), park=park, ride=ride, source=source,
        source_key=source_key, period_start=period_start, period_end=period_end, details=details or {},
    )
