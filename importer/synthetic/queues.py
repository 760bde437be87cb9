"""The `data` object of one ride or show at one poll, shaped per operator style.

*disney*: a closed or down ride still reports `STANDBY.waitTime: null`; prices carry `formatted`;
a show lists the whole day with real end times. *universal*: a ride that is not operating has
no `queue`; single-rider and express waits are always null; a show lists only the performances
still to come, with `startTime == endTime`. *europe*: waits move in 1-minute steps.
"""
from __future__ import annotations

from datetime import timedelta

from .invented_parks import SYMBOLS

WAIT_QUEUES = ("STANDBY", "SINGLE_RIDER", "PAID_STANDBY")


def stored_queue_rows(data: dict) -> int:
    """The `queue_data` rows the importer stores for `data`: one per queue, except a STANDBY queue
    with nothing but a wait (the wait is stored in the snapshot)."""
    queue = data.get("queue") or {}
    standby = queue.get("STANDBY")
    return len(queue) - (1 if isinstance(standby, dict) and set(standby) <= {"waitTime"} else 0)


def ride_data(ride, dest, status: str, wait, local, minute: int, park) -> dict:
    """`local` is the poll's park-local datetime, `minute` its minutes after the day's midnight."""
    if status == "REFURBISHMENT" or (status != "OPERATING" and dest.style == "universal"):
        return {"status": status, "destinationId": dest.destination_id}
    operating = status == "OPERATING"
    queue = {}
    for queue_type in ride.queues:
        if queue_type == "STANDBY":
            queue[queue_type] = {"waitTime": wait if operating else None}
        elif queue_type == "SINGLE_RIDER":
            single = None if (not operating or wait is None or dest.style == "universal") else max(5, wait // 15 * 5)
            queue[queue_type] = {"waitTime": single}
        elif queue_type == "PAID_STANDBY":
            queue[queue_type] = {"waitTime": None}
        elif queue_type == "BOARDING_GROUP":
            queue[queue_type] = _boarding_group(operating, local, minute, park)
        else:
            queue[queue_type] = _return_time(ride, dest, queue_type, operating, wait, local, minute, park)
    return {"status": status, "queue": queue, "destinationId": dest.destination_id}


def _return_time(ride, dest, queue_type, operating, wait, local, minute, park) -> dict:
    paid = queue_type == "PAID_RETURN_TIME"
    sells_out = (park.close_hour - 4 - ride.index % 3) * 60 if paid else (park.close_hour - 2) * 60
    if operating and minute < sells_out:
        state = "TEMP_FULL" if not paid and 13 * 60 <= minute < 13 * 60 + 30 else "AVAILABLE"
    else:
        state = "FINISHED"
    out = {"state": state, "returnStart": None, "returnEnd": None}
    if state == "AVAILABLE":
        ahead = max(wait or 0, 15) // 15 * 15 + 15 - minute % 15
        start = (local + timedelta(minutes=ahead)).replace(second=0, microsecond=0)
        out["returnStart"] = start.isoformat()
        out["returnEnd"] = None if ride.index % 4 == 0 else (start + timedelta(hours=1)).isoformat()
    if paid:
        price = {"amount": ride.price, "currency": dest.currency}
        if dest.style == "disney":
            amount = ride.price if dest.currency == "JPY" else ride.price / 100
            price["formatted"] = f"{SYMBOLS[dest.currency]}{amount:,.0f}" if dest.currency == "JPY" \
                else f"{SYMBOLS[dest.currency]}{amount:,.2f}"
        out["price"] = price
    return out


def _boarding_group(operating, local, minute, park) -> dict:
    opened = park.open_hour * 60
    called = max(0, (minute - opened) // 30) * 10 + 1
    out = {"allocationStatus": "CLOSED", "currentGroupStart": None, "currentGroupEnd": None,
           "nextAllocationTime": None, "estimatedWait": None}
    if not operating or minute < opened:
        return out
    out.update(currentGroupStart=called, currentGroupEnd=called + 14)
    if minute < opened + 240:
        out.update(allocationStatus="AVAILABLE", estimatedWait=120)
    elif minute < opened + 420:
        next_at = local.replace(hour=min(park.open_hour + 7, 23), minute=0, second=0, microsecond=0)
        out.update(allocationStatus="PAUSED", nextAllocationTime=next_at.isoformat())
    return out


def show_data(show, dest, performances: list, minute: int, midnight) -> dict:
    """`performances`: the day's start minutes; `midnight`: the park-local midnight of the day."""
    if dest.style == "universal":
        ahead = [m for m in performances if m > minute]
        times = [(m, m) for m in ahead]
    else:
        last_end = performances[-1] + show.show_minutes if performances else 0
        times = [(m, m + show.show_minutes) for m in performances] if minute < last_end else []
    if not times:
        return {"status": "CLOSED", "showtimes": [], "destinationId": dest.destination_id}
    showtimes = [{"type": "Performance Time", "startTime": (midnight + timedelta(minutes=a)).isoformat(),
                  "endTime": (midnight + timedelta(minutes=b)).isoformat()} for a, b in times]
    return {"status": "OPERATING", "showtimes": showtimes, "destinationId": dest.destination_id}
