"""collector.normalize: live JSON -> observations, without a database."""
from datetime import datetime, timedelta, timezone

from collector import normalize
from collector.tests.conftest import IOA, SNAPSHOT, USF
from collector.fakeapi import fixture

UTC = timezone.utc


def usf_items():
    return {i.name: i for i in normalize.tpw_live_items(fixture(f"themeparks_wiki/live_{USF}.json"))}


def queue(item, queue_type):
    return next(q for q in item.queues if q.queue_type == queue_type)


def test_the_park_own_entry_is_not_an_observation():
    names = usf_items()
    assert "Universal Studios Florida" not in names
    assert len(names) == 13


def test_standby_with_a_number_is_the_wait_and_a_standby_queue():
    gringotts = usf_items()["Harry Potter and the Escape from Gringotts™"]
    assert (gringotts.status, gringotts.wait_time) == ("OPERATING", 45)
    assert queue(gringotts, "STANDBY").wait_time_minutes == 45
    assert gringotts.last_updated == datetime(2025, 7, 16, 1, 37, 4, tzinfo=UTC)


def test_standby_null_while_operating_keeps_a_null_wait():
    train = usf_items()["Hogwarts™ Express - King's Cross Station"]
    assert (train.status, train.wait_time, queue(train, "STANDBY").wait_time_minutes) == ("OPERATING", None, None)


def test_single_rider_null_and_number_are_both_kept():
    items = usf_items()
    assert queue(items["Harry Potter and the Escape from Gringotts™"], "SINGLE_RIDER").wait_time_minutes is None
    assert queue(items["MEN IN BLACK™ Alien Attack!™"], "SINGLE_RIDER").wait_time_minutes == 5


def test_paid_standby_without_a_wait_is_a_queue():
    mummy = usf_items()["Revenge of the Mummy™"]
    assert [q.queue_type for q in mummy.queues] == ["STANDBY", "SINGLE_RIDER", "PAID_STANDBY"]
    assert queue(mummy, "PAID_STANDBY").wait_time_minutes is None


def test_paid_return_time_keeps_the_price_in_cents_and_the_window_in_utc():
    paid = queue(usf_items()["TRANSFORMERS™: The Ride-3D"], "PAID_RETURN_TIME")
    assert (paid.state, paid.price_amount, paid.price_currency) == ("AVAILABLE", 1999, "USD")
    assert paid.return_time_start == datetime(2025, 7, 16, 1, 55, tzinfo=UTC)
    assert paid.return_time_end == datetime(2025, 7, 16, 2, 10, tzinfo=UTC)


def test_finished_paid_return_time_has_no_window_but_its_price():
    paid = queue(usf_items()["MEN IN BLACK™ Alien Attack!™"], "PAID_RETURN_TIME")
    assert (paid.state, paid.return_time_start, paid.return_time_end) == ("FINISHED", None, None)
    assert (paid.price_amount, paid.price_currency) == (1499, "USD")


def test_free_return_time_has_a_window_and_no_price():
    free = queue(usf_items()["Race Through New York Starring Jimmy Fallon™"], "RETURN_TIME")
    assert free.state == "AVAILABLE" and free.price_amount is None
    assert free.return_time_start == datetime(2025, 7, 16, 1, 55, tzinfo=UTC)


def test_boarding_group_keeps_all_five_fields():
    group = queue(usf_items()["Illumination's Villain-Con Minion Blast"], "BOARDING_GROUP")
    assert group.boarding_group_status == "PAUSED"
    assert (group.boarding_group_current_start, group.boarding_group_current_end) == (41, 55)
    assert group.next_allocation_time == datetime(2025, 7, 16, 11, 0, tzinfo=UTC)
    assert group.estimated_wait_minutes is None


def test_down_refurbishment_shows_and_restaurants_keep_their_status():
    items = usf_items()
    assert items["Hollywood Rip Ride Rockit™"].status == "DOWN"
    assert (items["E.T. Adventure™"].status, items["E.T. Adventure™"].queues) == ("REFURBISHMENT", [])
    assert items["The Blues Brothers Show"].entity_type == "SHOW"
    assert items["The Bourne Stuntacular"].status == "CLOSED"
    leaky = items["Leaky Cauldron"]
    assert (leaky.entity_type, leaky.wait_time) == ("RESTAURANT", 10)


def test_closed_rides_without_queue_with_null_and_with_a_stale_zero():
    items = {i.name: i for i in normalize.tpw_live_items(fixture(f"themeparks_wiki/live_{IOA}.json"))}
    assert items["Harry Potter and the Forbidden Journey™"].queues == []
    assert items["Jurassic Park River Adventure™"].wait_time is None
    hulk = items["The Incredible Hulk Coaster®"]
    assert (hulk.status, hulk.wait_time) == ("CLOSED", 0)
    assert items["Jurassic World VelociCoaster"].status == "DOWN"


def test_a_float_wait_is_rounded_and_a_sentinel_passes_to_ingest_to_be_refused():
    rows = normalize.tpw_queue_rows({"STANDBY": {"waitTime": 12.6}, "PAID_STANDBY": {"waitTime": 995}})
    assert [r.wait_time_minutes for r in rows] == [13, 995]


def test_the_park_status_comes_from_its_own_entry():
    assert normalize.tpw_park_status(fixture(f"themeparks_wiki/live_{USF}.json")) == "OPERATING"
    assert normalize.tpw_park_status(fixture(f"themeparks_wiki/live_{IOA}.json")) == "CLOSED"


def test_a_park_is_open_inside_a_schedule_window_else_as_its_live_entry_says():
    window = [(SNAPSHOT - timedelta(hours=1), SNAPSHOT + timedelta(hours=1))]
    assert normalize.park_is_open(windows=window, park_status="CLOSED", now=SNAPSHOT)
    assert not normalize.park_is_open(windows=window, park_status="OPERATING", now=SNAPSHOT + timedelta(hours=2))
    assert normalize.park_is_open(windows=[], park_status="OPERATING", now=SNAPSHOT)


def test_staleness_is_measured_from_last_updated():
    train = usf_items()["Hogwarts™ Express - King's Cross Station"]
    gringotts = usf_items()["Harry Potter and the Escape from Gringotts™"]
    assert normalize.is_stale(train, SNAPSHOT, timedelta(minutes=60))
    assert not normalize.is_stale(gringotts, SNAPSHOT, timedelta(minutes=60))


def test_poll_slot_floors_to_the_collection_interval():
    assert normalize.poll_slot(datetime(2025, 7, 16, 1, 44, 59, 9, tzinfo=UTC), 5) == datetime(
        2025, 7, 16, 1, 40, tzinfo=UTC)
    assert normalize.poll_slot(datetime(2025, 7, 16, 1, 44, 59, tzinfo=UTC), 1) == datetime(
        2025, 7, 16, 1, 44, tzinfo=UTC)


def test_queue_times_rides_become_operating_or_closed():
    items, orphans = normalize.qt_live_items(fixture("queue_times/queue_times_65.json"))
    by_name = {i.name: i for i in items}
    minion = by_name["Despicable Me Minion Mayhem"]
    assert (minion.status, minion.wait_time, minion.computed_is_open) == ("OPERATING", 35, True)
    rockit = by_name["Hollywood Rip Ride Rockit"]
    assert (rockit.status, rockit.wait_time, rockit.computed_is_open) == ("CLOSED", None, False)
    train = by_name["Hogwarts Express - King's Cross Station"]
    assert (train.status, train.wait_time) == ("OPERATING", 0)
    assert orphans == []


def test_a_queue_times_wait_above_zero_counts_as_open_even_when_is_open_is_false():
    items, _ = normalize.qt_live_items({"rides": [{"id": 1, "name": "A", "is_open": False, "wait_time": 20,
                                                   "last_updated": "2025-07-16T01:38:12.000Z"}]})
    assert (items[0].status, items[0].computed_is_open, items[0].wait_time) == ("OPERATING", True, 20)


def test_queue_times_single_rider_lines_are_queues_of_their_ride():
    items, _ = normalize.qt_live_items(fixture("queue_times/queue_times_65.json"))
    names = {i.name for i in items}
    assert not any("Single Rider" in name for name in names)
    mummy = next(i for i in items if i.name == "Revenge of the Mummy")
    assert [(q.queue_type, q.wait_time_minutes) for q in mummy.queues] == [("STANDBY", 30), ("SINGLE_RIDER", 10)]


def test_queue_times_reads_lands_and_top_level_rides():
    items, _ = normalize.qt_live_items(fixture("queue_times/queue_times_64.json"))
    train = next(i for i in items if i.name == "Hogwarts Express - Hogsmeade Station")
    assert train.land_id is None
    coaster = next(i for i in items if i.name == "Jurassic World VelociCoaster")
    assert (coaster.land_id, coaster.land_name) == (1150, "Jurassic Park")
    assert len(items) == 16  # 18 lines, two of them single-rider queues


def test_a_single_rider_line_without_its_ride_is_reported_not_made_a_ride():
    items, orphans = normalize.qt_live_items({"rides": [{"id": 9, "name": "Ghost Single Rider", "is_open": True,
                                                         "wait_time": 5, "last_updated": None}]})
    assert (items, orphans) == ([], ["Ghost Single Rider"])


def test_queue_times_parks_get_float_coordinates_and_their_operator():
    parks = {p["id"]: p for p in normalize.qt_parks(fixture("queue_times/parks.json"))}
    assert parks[65]["latitude"] == 28.4749822 and parks[65]["operator"] == "Universal Parks & Resorts"


def test_schedule_windows_are_utc_and_a_window_past_midnight_stays_whole():
    entries = normalize.schedule_entries(fixture(f"themeparks_wiki/schedule_{USF}.json"))
    event = next(e for e in entries if e["schedule_type"] == "TICKETED_EVENT")
    assert str(event["date"]) == "2025-08-08"
    assert event["opening_time"] == datetime(2025, 8, 8, 23, 0, tzinfo=UTC)
    assert event["closing_time"] == datetime(2025, 8, 9, 5, 0, tzinfo=UTC)
    types = {e["schedule_type"] for e in entries}
    assert {"OPERATING", "EXTRA_HOURS", "INFO", "TICKETED_EVENT"} <= types
