"""Simulating one destination, one park-local day at a time, as the archive's collector saw it.

The collector is modelled as a poll every `poll_minutes` from 04:00 local to 04:00 the next
day; an entity gets an event only when its `data` changes (opening, closing, a move of the
posted wait, the start or end of a DOWN spell, a change in another queue, a show list loaded
or shrinking). Waits are mean-reverting towards a midday-peaked crowd curve; DOWN spells have
a log-normal length (about 5 minutes to a few hours); about 15 % of the spells still running at
closing time end without a CLOSED event, as real feeds sometimes do. A water park (park 2) is
closed on Mondays, Tuesdays and in its hemisphere's winter.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import orjson

from .invented_parks import SOUTHERN, UTC
from .queues import ride_data, show_data, stored_queue_rows

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SHOW_LIST_MINUTE = 4 * 60 + 15


@dataclass
class Event:
    """One event, ready to sort into its file: `text` is its JSON (see `encoding.event_text`)."""

    ms: int
    order: int
    file_date: date
    entity_id: str
    queue_rows: int
    text: str


@dataclass
class RideState:
    status: str = "CLOSED"
    wait: float = 0.0
    down_until: int | None = None
    stuck: bool = False  # a DOWN spell that ran past closing without a CLOSED event
    last: str = ""  # the JSON of the data last emitted
    key: tuple = ()  # what that data was made from
    texts: dict = field(default_factory=dict)  # rides whose data has no time in it: key -> (JSON, queue rows)


def park_open_on(park, dest, day: date) -> bool:
    if park.kind != "water":
        return True
    winter = (5, 6, 7, 8, 9) if dest.zone in SOUTHERN else (11, 12, 1, 2, 3)
    return day.weekday() not in (0, 1) and day.month not in winter


def closing_minute(park, dest, p: int, day: date) -> int:
    close = park.close_hour * 60 + (60 if day.weekday() in (4, 5) and park.kind == "theme" else 0)
    if dest.index == 0 and p == 1 and day.weekday() == 5:
        close = 25 * 60  # 01:00 the next calendar day
    return close


def crowd(minute: int, day: date) -> float:
    hour = minute / 60
    return (0.35 + 0.65 * math.exp(-((hour - 14.0) / 3.5) ** 2)) * (1.15 if day.weekday() >= 5 else 1.0)


class DestinationDay:
    """Simulates one destination through consecutive park-local days, keeping each entity's state."""

    def __init__(self, dest, rng, options, make_text):
        self.dest, self.rng, self.options, self.make_text = dest, rng, options, make_text
        self.lag_ms = rng.randint(60_000, 150_000)
        self.states = {e.entity_id: RideState() for park in dest.parks for e in park.rides + park.shows}
        self.step = 1 if dest.style == "europe" else 5
        self.crowd = 1.0  # the crowd factor of the current poll

    def run(self, day: date):
        """The events of local day `day` (04:00 to 04:00), in no particular order."""
        dest, tz, rng = self.dest, self.dest.tz, self.rng
        midnight = datetime.combine(day, time(), tz)
        at = datetime.combine(day, time(4), tz).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(4), tz).astimezone(UTC)
        poll = timedelta(minutes=self.options.poll_minutes)
        plans = [self._plan(p, park, day) for p, park in enumerate(dest.parks)]
        events = []
        while at < end:
            local = at.astimezone(tz)
            minute = (local.date() - day).days * 1440 + local.hour * 60 + local.minute
            base = int((at - EPOCH).total_seconds()) * 1000 + self.lag_ms
            self.crowd = crowd(minute, day)
            for p, park in enumerate(dest.parks):
                ms = base + rng.randint(0, 900)
                for k, ride in enumerate(park.rides):
                    made = self._ride(ride, park, plans[p], day, local, minute)
                    if made is not None:
                        events.append(self._event(ride, park, made, ms + 3 * k, p, k, at, local))
                if minute < SHOW_LIST_MINUTE:
                    continue
                for k, show in enumerate(park.shows, start=len(park.rides)):
                    times = plans[p][2].get(show.entity_id, [])
                    state = self.states[show.entity_id]
                    # the list changes only when a performance starts (universal) or the last one ends
                    key = (day, sum(m > minute for m in times) if dest.style == "universal" else
                           bool(times) and minute < times[-1] + show.show_minutes)
                    if key == state.key:
                        continue
                    state.key = key
                    made = self._changed(show, show_data(show, dest, times, minute, midnight))
                    if made is not None:
                        events.append(self._event(show, park, made, ms + 3 * k, p, k, at, local))
            at += poll
        return events

    def _plan(self, p, park, day):
        """(open minute or None when closed all day, close minute, {show id: performance minutes})."""
        if not park_open_on(park, self.dest, day):
            return None, 0, {}
        opens, closes = park.open_hour * 60, closing_minute(park, self.dest, p, day)
        shows = {}
        for show in park.shows:
            slots = list(range(opens + 60, closes - 60 - show.show_minutes, 15))
            picked = sorted(self.rng.sample(slots, min(len(slots), self.rng.randint(3, 5))))
            shows[show.entity_id] = picked
        return opens, closes, shows

    def _changed(self, entity, data):
        """(JSON, queue rows) of `data` when it differs from the entity's last data, else None."""
        text = orjson.dumps(data).decode()
        state = self.states[entity.entity_id]
        if text == state.last:
            return None
        state.last = text
        return text, stored_queue_rows(data)

    def _ride(self, ride, park, plan, day, local, minute):
        """The ride's data at this poll when it changed, else None."""
        state, rng = self.states[ride.entity_id], self.rng
        opens, closes, _shows = plan
        refurb = ride.refurbishment
        if state.status == "CLOSED" and not refurb and (opens is None or not opens <= minute < closes):
            return None  # closed and staying closed: the most common case outside opening hours
        if refurb and refurb[0] <= day < refurb[1]:
            if minute < 6 * 60 and day == refurb[0]:
                return None
            state.status, state.down_until, state.stuck = "REFURBISHMENT", None, False
        elif opens is not None and opens <= minute < closes:
            if state.status != "OPERATING" and state.status != "DOWN" or state.stuck:
                state.status, state.down_until, state.stuck = "OPERATING", None, False
                state.wait = ride.peak_wait * self.crowd * 0.6
            if state.down_until is not None and minute >= state.down_until:
                state.status, state.down_until = "OPERATING", None
            elif state.down_until is None and rng.random() < ride.breakdowns_per_hour * self.options.poll_minutes / 60:
                length = min(240, max(5, int(rng.lognormvariate(math.log(25), 0.9))))
                state.status, state.down_until = "DOWN", minute + length
            target = ride.peak_wait * self.crowd
            # triangular noise with the standard deviation of a normal one (peak / 16 + 1), cheaper to draw
            noise = (rng.random() + rng.random() - 1.0) * 2.449 * (ride.peak_wait * 0.06 + 1)
            state.wait = max(0.0, state.wait + 0.35 * (target - state.wait) + noise)
        elif state.status in ("OPERATING", "DOWN") and not state.stuck:
            if state.status == "DOWN" and rng.random() < 0.15:
                state.stuck = True
            else:
                state.status, state.down_until = "CLOSED", None
        elif state.status == "REFURBISHMENT" and not (refurb and refurb[0] <= day < refurb[1]):
            return None  # back from refurbishment at the next opening
        else:
            return None
        operating = state.status == "OPERATING"
        wait = None if ride.wait_always_null else min(600, int(round(state.wait / self.step)) * self.step)
        # the data is a function of the status, the wait while operating and (return times, boarding
        # groups: every threshold is on a quarter hour) the quarter hour: made only when one moved
        key = (state.status, wait if operating else None, minute // 15 if ride.timed and operating else None)
        if key == state.key:
            return None
        state.key = key
        if ride.timed:
            return self._changed(ride, ride_data(ride, self.dest, state.status, wait, local, minute, park))
        made = state.texts.get(key)  # a new key always means new data here
        if made is None:
            data = ride_data(ride, self.dest, state.status, wait, local, minute, park)
            made = state.texts[key] = (orjson.dumps(data).decode(), stored_queue_rows(data))
        state.last = made[0]
        return made

    def _event(self, entity, park, made, ms, p, k, at, local) -> Event:
        """`made`: the data's (JSON, queue rows)."""
        name = entity.name
        if entity.renamed and at >= entity.renamed[1]:
            name = entity.renamed[0]
        text, file_date = self.make_text(entity, name, park, self.dest, made[0], ms, local)
        return Event(ms=ms, order=p * 10_000 + k, file_date=file_date, entity_id=entity.entity_id,
                     queue_rows=made[1], text=text)
