"""Property: one underlying timeline, stored as ARCHIVE change events or as 5-minute LIVE polls,
gives the same daily figures within one poll interval per spell."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from warehouse.metrics import Obs, RideInfo, compute_park_day

TZ = "Europe/Paris"
DAY = date(2024, 6, 12)
POLL = 300.0
DAY_START = datetime.combine(DAY, time(4), tzinfo=ZoneInfo(TZ)).timestamp()
DAY_END = DAY_START + 24 * 3600
OPEN, CLOSE = DAY_START + 5 * 3600, DAY_START + 17 * 3600  # 09:00 to 21:00

spell = st.tuples(st.sampled_from(["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT"]),
                  st.integers(min_value=10 * 60, max_value=4 * 3600),  # at least two polls long
                  st.integers(min_value=0, max_value=120))


def timeline(spells, offset):
    """(start, status, wait) spells from before the day start to past its end."""
    out, at = [], DAY_START - 3600 + offset
    for status, seconds, wait in spells:
        out.append((at, status, wait if status == "OPERATING" else None))
        at += seconds
        if at >= DAY_END:
            break
    return out


def as_archive(spells):
    return [Obs(at, status, wait, "ARCHIVE") for at, status, wait in spells]


def as_polls(spells):
    """What a collector polling every 5 minutes sees: the state in force at each poll."""
    obs, i, at = [], 0, DAY_START - 3600
    while at < DAY_END:
        while i + 1 < len(spells) and spells[i + 1][0] <= at:
            i += 1
        if spells[i][0] <= at:
            obs.append(Obs(at, spells[i][1], spells[i][2], "LIVE"))
        at += POLL
    return obs


def runs_in_window(spells, states):
    """Maximal stretches in one of `states` that overlap the open window."""
    count, inside = 0, False
    for i, (at, status, _wait) in enumerate(spells):
        end = spells[i + 1][0] if i + 1 < len(spells) else DAY_END
        hit = status in states and at < CLOSE and end > OPEN - POLL
        count += hit and not inside
        inside = hit
    return count


def figures(obs, reports_down):
    return compute_park_day(day=DAY, tz=TZ, rides=[RideInfo(1, 1, True)], observations={1: obs},
                            schedule=[(OPEN, CLOSE)], reports_down=reports_down, now=DAY_END + 86400,
                            live_hold=3 * POLL).rides.get(1)


@settings(max_examples=150, deadline=None)
@given(st.lists(spell, min_size=1, max_size=40), st.integers(min_value=0, max_value=3599), st.booleans())
def test_archive_events_and_live_polls_give_the_same_day_within_a_poll_interval(spells, offset, reports_down):
    line = timeline(spells, offset)
    archive, live = figures(as_archive(line), reports_down), figures(as_polls(line), reports_down)
    assert (archive is None) == (live is None)
    if archive is None:
        return
    # polls see each change up to one poll late: a stretch's two edges both lag by [0, POLL), so its
    # length is off by less than one poll interval
    poll_min = POLL / 60
    down = {"DOWN"} if reports_down else {"DOWN", "CLOSED"}
    assert archive.known_minutes == live.known_minutes == 12 * 60
    assert abs(archive.operating_minutes - live.operating_minutes) <= poll_min * runs_in_window(line, {"OPERATING"})
    if archive.operated == live.operated:
        assert abs(archive.downtime_minutes - live.downtime_minutes) <= poll_min * runs_in_window(line, down)
        assert abs(archive.longest_downtime_minutes - live.longest_downtime_minutes) < poll_min
    else:  # operated differs only when operating time sits within a poll of the threshold
        threshold = 1 if reports_down else 30
        slack = poll_min * runs_in_window(line, {"OPERATING"})
        assert min(archive.operating_minutes, live.operating_minutes) < threshold + slack
    assert abs(archive.status_changes - live.status_changes) <= 2  # a change may slip onto a window edge
    if archive.peak_wait is not None and live.peak_wait is not None:
        assert live.peak_wait <= archive.peak_wait
