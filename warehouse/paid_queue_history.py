"""Paid-queue price history: per ride and park day, what the paid return-time queue cost, when its
windows sold out and which return window each price came with.

It reads `queue_data` (every queue value of live collection and of the archive) for the paid
queue types. Prices stay integers in the currency's smallest unit with the currency beside
them; a day that changes currency (never seen, but possible) gives one entry per currency.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from themepark.choices import QueueType

from .metrics.days import park_day_of
from .models import QueueData
from .periods import DayRange, range_bounds_utc

PAID_QUEUE_TYPES = (QueueType.PAID_RETURN_TIME, QueueType.PAID_STANDBY)
SOLD_OUT_STATE = "FINISHED"


@dataclass
class PaidDay:
    """One ride's paid queue of one type and currency on one park day."""

    date: date
    queue_type: str
    currency: str | None
    first_price: int | None = None
    last_price: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    observations: int = 0
    first_sold_out_at: datetime | None = None
    price_changes: list = field(default_factory=list)

    def add(self, at, price, state, return_start, return_end):
        self.observations += 1
        if state == SOLD_OUT_STATE and self.first_sold_out_at is None:
            self.first_sold_out_at = at
        if price is None:
            return
        if self.last_price != price or not self.price_changes:
            self.price_changes.append({"at": at, "price": price, "return_time_start": return_start,
                                       "return_time_end": return_end, "state": state})
        if self.first_price is None:
            self.first_price = price
        self.last_price = price
        self.min_price = price if self.min_price is None else min(self.min_price, price)
        self.max_price = price if self.max_price is None else max(self.max_price, price)


def paid_queue_days(ride_ids: list[int], days: DayRange, tz: str) -> dict[int, list[PaidDay]]:
    """ride id -> its PaidDay entries over park days `days` (park timezone `tz`), by date."""
    start, end = range_bounds_utc(days, tz)
    out: dict[int, list[PaidDay]] = {ride_id: [] for ride_id in ride_ids}
    current: dict[tuple, PaidDay] = {}  # (ride, day, queue type) -> its entry of the latest currency
    rows = (QueueData.objects.filter(ride_id__in=ride_ids, queue_type__in=PAID_QUEUE_TYPES,
                                     recorded_at__gte=start, recorded_at__lt=end)
            .order_by("ride_id", "recorded_at", "queue_type")
            .values_list("ride_id", "recorded_at", "queue_type", "price_amount", "price_currency", "state",
                         "return_time_start", "return_time_end"))
    for ride_id, at, queue_type, price, currency, state, return_start, return_end in rows.iterator(chunk_size=5000):
        if price is None and state is None and return_start is None:
            continue  # a bare paid-standby wait: no price to report
        key = (ride_id, park_day_of(at, tz), queue_type)
        entry = current.get(key)
        if entry is None or (currency and entry.currency and currency != entry.currency):
            entry = current[key] = PaidDay(key[1], queue_type, currency)
            out[ride_id].append(entry)
        elif currency and not entry.currency:
            entry.currency = currency
        entry.add(at, price, state, return_start, return_end)
    for entries in out.values():
        entries.sort(key=lambda e: (e.date, e.queue_type))
    return out
