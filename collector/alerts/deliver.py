"""Delivery of the outbox to webhooks, by the scheduled `deliver_alerts` job.

A run first fans new events out (one AlertDelivery per active subscription with a target URL
that covers the event; the event is then marked dispatched), then posts every delivery that is
due. Each request carries the event as JSON and these headers:

    X-Themepark-Event: went_down
    X-Themepark-Timestamp: 1720000000                  (Unix seconds of this attempt)
    X-Themepark-Signature: sha256=<hex>                 HMAC-SHA256 with the subscription's secret
                                                        over "<timestamp>.<body>"
    Idempotency-Key: <event key>                        the same on every attempt of the event

A 2xx answer delivers it. Anything else (an error status, a timeout, a refused connection) is
logged on the delivery and retried after an exponential backoff (tenacity's wait_exponential:
ALERT_BACKOFF_SECONDS doubling each attempt, at most ALERT_BACKOFF_MAX_SECONDS), until
ALERT_MAX_ATTEMPTS attempts have failed: then the delivery is dead-lettered (status DEAD) and
stays in the admin's delivery log for a person to look at.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
import tenacity
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import RIDE_EVENTS, AlertDelivery, AlertEvent, AlertSubscription, DeliveryStatus

logger = logging.getLogger("collector.alerts")
SIGNATURE_HEADER = "X-Themepark-Signature"
TIMESTAMP_HEADER = "X-Themepark-Timestamp"
EVENT_HEADER = "X-Themepark-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
LOG_ATTEMPTS_KEPT = 20


@dataclass
class DeliveryRun:
    dispatched: int = 0
    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Themepark-Signature value of `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_valid(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header or "")


def backoff(attempt: int) -> timedelta:
    """Wait before retrying after the `attempt`-th failed attempt (1-based)."""
    wait = tenacity.wait_exponential(multiplier=settings.ALERT_BACKOFF_SECONDS,
                                     max=settings.ALERT_BACKOFF_MAX_SECONDS)
    state = tenacity.RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    return timedelta(seconds=wait(state))


def _covers(subscription: AlertSubscription, event: AlertEvent) -> bool:
    if event.event_type not in (subscription.events or ()):
        return False
    if subscription.ride_id is not None:
        return event.ride_id == subscription.ride_id
    return subscription.park_id == event.park_id and (event.ride_id is None or event.event_type in RIDE_EVENTS)


def events_dispatch(now: datetime) -> int:
    """One PENDING delivery per (webhook subscription, new event it covers); returns how many."""
    created = 0
    events = list(AlertEvent.objects.filter(dispatched_at__isnull=True).order_by("occurred_at", "pk")[:1000])
    if not events:
        return 0
    parks = {e.park_id for e in events}
    subscriptions = list(AlertSubscription.objects.filter(is_active=True).exclude(target_url="").filter(
        Q(park_id__in=parks) | Q(ride__park_id__in=parks)))
    with transaction.atomic():
        deliveries = [AlertDelivery(subscription=s, event=e, next_attempt_at=now)
                      for e in events for s in subscriptions if _covers(s, e)]
        AlertDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        created = len(deliveries)
        AlertEvent.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=now)
    return created


def _post(delivery: AlertDelivery, now: datetime) -> tuple[int | None, str]:
    """(HTTP status or None, error text) of one attempt."""
    body = json.dumps(delivery.event.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    headers = {"Content-Type": "application/json", "User-Agent": settings.HTTP_USER_AGENT,
               EVENT_HEADER: delivery.event.event_type, TIMESTAMP_HEADER: timestamp,
               SIGNATURE_HEADER: signature(delivery.subscription.secret, timestamp, body),
               IDEMPOTENCY_HEADER: str(delivery.event.key)}
    try:
        response = requests.post(delivery.subscription.target_url, data=body, headers=headers,
                                 timeout=settings.ALERT_TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}: {response.text[:200]}"


def delivery_attempt(delivery: AlertDelivery, now: datetime) -> str:
    """Post one delivery and record the outcome; returns its new status."""
    status, error = _post(delivery, now)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = status
    delivery.last_error = error
    delivery.log = [*delivery.log, {"at": now.isoformat(), "status": status, "error": error}][-LOG_ATTEMPTS_KEPT:]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    elif delivery.attempts >= settings.ALERT_MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.DEAD, None
        logger.warning("alert delivery %s dead after %s attempts: %s", delivery.pk, delivery.attempts, error)
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_attempt_at", "response_status", "last_error", "log", "status",
                                 "delivered_at", "next_attempt_at"])
    return delivery.status


def alerts_deliver(*, now: datetime | None = None, limit: int = 500) -> DeliveryRun:
    """Dispatch new events, then attempt every due delivery (at most `limit`)."""
    now = now or timezone.now()
    run = DeliveryRun(dispatched=events_dispatch(now))
    due = (AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
           .select_related("event", "subscription").order_by("next_attempt_at", "pk")[:limit])
    for delivery in due:
        if not delivery.subscription.is_active:
            continue
        status = delivery_attempt(delivery, now)
        run.attempted += 1
        run.delivered += status == DeliveryStatus.DELIVERED
        run.dead += status == DeliveryStatus.DEAD
        run.failed += status == DeliveryStatus.PENDING
    return run
