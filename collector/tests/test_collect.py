"""collect_snapshots against the fake API: live pages -> LIVE observations through ingest."""
from datetime import datetime, timedelta, timezone
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from collector.models import CollectionRun
from collector.services import parks_sync, snapshots_collect
from collector.tests.conftest import IOA, SNAPSHOT, USF
from quality.models import DataQualityLog
from themepark.models import Park, ParkSchedule, Ride
from warehouse.models import QueueData, RideStatusSnapshot

pytestmark = pytest.mark.django_db
UTC = timezone.utc
GRINGOTTS = "70ac72a3-9675-4c41-a1b1-e4801072927a"


def snapshot(tpw_id):
    return RideStatusSnapshot.objects.get(ride__themeparks_wiki_id=tpw_id)


def queues(tpw_id):
    return {q.queue_type: q for q in QueueData.objects.filter(ride__themeparks_wiki_id=tpw_id)}


def test_a_run_writes_every_fresh_entity_with_all_its_queues(catalog):
    result = snapshots_collect(now=SNAPSHOT)
    assert (result.run.status, result.run.parks_ok, result.run.observations_written) == ("SUCCESS", 2, 20)
    assert result.live_state_refreshed
    gringotts = snapshot(GRINGOTTS)
    assert (gringotts.status, gringotts.wait_time, gringotts.computed_is_open) == ("OPERATING", 45, True)
    assert (gringotts.recorded_at, gringotts.data_source) == (SNAPSHOT, "LIVE")
    # The standby wait is the snapshot's (45 above): queue_data keeps only the other queues.
    assert set(queues(GRINGOTTS)) == {"SINGLE_RIDER"}
    paid = queues("750939c5-a69e-408a-8d55-66c272fa265e")["PAID_RETURN_TIME"]
    assert (paid.price_amount, paid.price_currency, paid.state) == (1999, "USD", "AVAILABLE")
    assert paid.return_time_start == datetime(2025, 7, 16, 1, 55, tzinfo=UTC)
    group = queues("25d47d04-a917-405a-9904-9be2b499b2dd")["BOARDING_GROUP"]
    assert (group.boarding_group_status, group.boarding_group_current_start, group.boarding_group_current_end,
            group.next_allocation_time, group.estimated_wait_minutes) == (
        "PAUSED", 41, 55, datetime(2025, 7, 16, 11, 0, tzinfo=UTC), None)
    assert queues("625a3cc3-7d7e-468b-96fe-1ec00df7b739")["RETURN_TIME"].state == "AVAILABLE"
    assert set(queues("ec25d9a7-b4d4-4ebf-a6c4-c18389351764")) == {"SINGLE_RIDER", "PAID_STANDBY"}
    assert not QueueData.objects.filter(queue_type="STANDBY").exists()


def test_statuses_down_refurbishment_and_closed_are_stored_as_reported(catalog):
    snapshots_collect(now=SNAPSHOT)
    assert snapshot("2c72d1d0-7106-439d-9672-5bf95795ccea").status == "DOWN"
    assert snapshot("61079a31-4165-4fb0-b36f-c01c5971f80a").status == "DOWN"  # closed park: not reset
    et = snapshot("1e16afdd-15e3-4e4a-b3af-8aeebd7534f8")
    assert (et.status, et.computed_is_open) == ("REFURBISHMENT", False)
    assert not queues("1e16afdd-15e3-4e4a-b3af-8aeebd7534f8")
    hulk = snapshot("fa743143-281b-4b5b-b87b-d49fcb006772")
    assert (hulk.status, hulk.computed_is_open) == ("CLOSED", False)
    assert snapshot("4b53df83-cbfc-41d1-97a4-b43e79c0cf2c").wait_time == 10  # restaurant walk-up wait


def test_collecting_the_same_moment_twice_writes_nothing_the_second_time(catalog):
    snapshots_collect(now=SNAPSHOT)
    counts = RideStatusSnapshot.objects.count(), QueueData.objects.count()
    second = snapshots_collect(now=SNAPSHOT + timedelta(seconds=50))
    assert (second.run.observations_written, second.run.duplicates) == (0, 20)
    assert (RideStatusSnapshot.objects.count(), QueueData.objects.count()) == counts


def test_the_next_interval_writes_a_fresh_poll(catalog):
    snapshots_collect(now=SNAPSHOT)
    later = snapshots_collect(now=SNAPSHOT + timedelta(minutes=5))
    assert later.run.observations_written == 20
    assert RideStatusSnapshot.objects.filter(ride__themeparks_wiki_id=GRINGOTTS).count() == 2


def test_stale_values_of_an_open_park_are_logged_and_not_stored(catalog):
    snapshots_collect(now=SNAPSHOT)
    assert not RideStatusSnapshot.objects.filter(ride__themeparks_wiki_id="f0750e5e-7629-4c53-99d2-e0924a8afeed")
    log = DataQualityLog.objects.get(issue_type="STALE")
    assert (log.park, log.source, log.record_count) == (catalog["usf"], "LIVE", 3)
    assert {e["name"] for e in log.details["entities"]} == {
        "Hogwarts™ Express - King's Cross Station", "The Bourne Stuntacular", "The Blues Brothers Show"}
    snapshots_collect(now=SNAPSHOT + timedelta(minutes=5))
    log.refresh_from_db()
    assert (DataQualityLog.objects.filter(issue_type="STALE").count(), log.record_count) == (1, 6)


def test_a_park_open_past_midnight_is_open_by_its_schedule(catalog):
    ioa = catalog["ioa"]
    ParkSchedule.objects.create(park=ioa, date="2025-07-15", schedule_type="OPERATING",
                                opening_time=datetime(2025, 7, 15, 13, tzinfo=UTC),
                                closing_time=datetime(2025, 7, 16, 6, tzinfo=UTC))  # 09:00-02:00 local
    after_midnight = datetime(2025, 7, 16, 5, 30, tzinfo=UTC)  # 01:30 local, the day after
    result = snapshots_collect(park_ids=[ioa.pk], now=after_midnight)
    assert (result.run.observations_written, result.run.stale) == (1, 9)  # only the refurbishment is kept
    ParkSchedule.objects.all().delete()
    closed = snapshots_collect(park_ids=[ioa.pk], now=after_midnight + timedelta(minutes=5))
    assert (closed.run.observations_written, closed.run.stale) == (10, 0)  # closed park: old values stand


def test_last_operated_at_follows_operating_observations(catalog):
    snapshots_collect(now=SNAPSHOT)
    assert Ride.objects.get(themeparks_wiki_id=GRINGOTTS).last_operated_at == SNAPSHOT
    assert Ride.objects.get(themeparks_wiki_id="2c72d1d0-7106-439d-9672-5bf95795ccea").last_operated_at is None


def test_new_entities_seen_live_join_the_catalog(catalog, api):
    api.documents[f"/v1/entity/{USF}/live"]["liveData"].append({
        "id": "new-show-1", "name": "Brand New Show", "entityType": "SHOW", "parkId": USF, "externalId": "999",
        "status": "OPERATING", "lastUpdated": "2025-07-16T01:39:00Z"})
    result = snapshots_collect(now=SNAPSHOT)
    ride = Ride.objects.get(themeparks_wiki_id="new-show-1")
    assert (ride.park, ride.entity_type, ride.external_id) == (catalog["usf"], "SHOW", "999")
    assert result.outcomes[0].new_rides + result.outcomes[1].new_rides == 1
    assert snapshot("new-show-1").status == "OPERATING"


@pytest.mark.parametrize("failure", [[500], [(200, {"X-Delay": "1.0"}, {})], [(200, {}, b"<html>oops")]],
                         ids=["5xx", "timeout", "malformed-json"])
def test_one_failing_park_never_stops_the_others(catalog, api, failure):
    api.script[f"/v1/entity/{IOA}/live"] = failure
    result = snapshots_collect(now=SNAPSHOT)
    run = result.run
    assert (run.status, run.parks_ok, run.parks_failed, run.observations_written) == ("PARTIAL", 1, 1, 10)
    assert run.errors[0]["park"] == "Universal Islands of Adventure"
    assert not RideStatusSnapshot.objects.filter(ride__park=catalog["ioa"]).exists()


def test_a_queue_times_park_is_collected_with_single_rider_queues(catalog, api):
    parks_sync(source="queue-times", destination_ids=["universalorlando"])
    usf = catalog["usf"]
    Park.objects.filter(pk=usf.pk).update(themeparks_wiki_id=None)  # known only to Queue-Times now
    result = snapshots_collect(park_ids=[usf.pk], now=SNAPSHOT)
    assert (result.run.observations_written, result.run.stale) == (13, 1)  # E.T. last updated a week ago
    mummy = RideStatusSnapshot.objects.get(ride__queue_times_id=6000)
    assert (mummy.status, mummy.wait_time, mummy.computed_is_open) == ("OPERATING", 30, True)
    assert QueueData.objects.get(ride__queue_times_id=6000, queue_type="SINGLE_RIDER").wait_time_minutes == 10
    rockit = RideStatusSnapshot.objects.get(ride__queue_times_id=5993)
    assert (rockit.status, rockit.wait_time, rockit.computed_is_open) == ("CLOSED", None, False)
    assert Ride.objects.get(queue_times_id=5984).name == "Despicable Me Minion Mayhem"  # joined the catalog
    assert not Ride.objects.filter(name__icontains="single rider").exists()


def test_a_queue_times_park_with_lands_and_top_level_rides(catalog, api):
    parks_sync(source="queue-times", destination_ids=["universalorlando"])
    ioa = catalog["ioa"]
    Park.objects.filter(pk=ioa.pk).update(themeparks_wiki_id=None)
    result = snapshots_collect(park_ids=[ioa.pk], now=datetime(2025, 7, 16, 1, 5, tzinfo=UTC))
    assert (result.run.observations_written, result.run.stale) == (15, 1)  # Bilge-Rat Barges is stale
    train = RideStatusSnapshot.objects.get(ride__queue_times_id=6015)
    assert (train.status, train.ride.land) == ("CLOSED", None)
    assert RideStatusSnapshot.objects.get(ride__queue_times_id=5994).ride.land.name == "Jurassic Park"


def test_the_lock_keeps_two_runs_from_overlapping(catalog):
    from themepark.locks import JobLock

    with JobLock("collect_snapshots", purpose="another collection"):
        result = snapshots_collect(now=SNAPSHOT)
        assert result.skipped and result.run.status == "SKIPPED"
        assert not RideStatusSnapshot.objects.exists()
    assert snapshots_collect(now=SNAPSHOT).run.status == "SUCCESS"


def test_a_run_whose_lock_is_taken_stops_before_the_next_park_and_ends_failed(catalog, settings):
    import time

    from django.db import connections

    from themepark.locks import LockLost

    settings.JOB_LOCK_LEASE_SECONDS = 0.6  # renewed every 0.2 s
    done = []

    def take_the_lock_after_the_first_park(outcome):
        done.append(outcome)
        conn = connections.create_connection("default")  # as a run that found the lease run out
        with conn.cursor() as cursor:
            cursor.execute("UPDATE job_lock SET token = %s WHERE name = 'collect_snapshots'", ["c" * 32])
        conn.close()
        time.sleep(0.6)  # the next renewal finds the row taken

    try:
        with pytest.raises(LockLost):
            snapshots_collect(now=SNAPSHOT, concurrency=1, progress=take_the_lock_after_the_first_park)
    finally:
        conn = connections.create_connection("default")
        with conn.cursor() as cursor:
            cursor.execute("DELETE FROM job_lock")
        conn.close()
    assert len(done) == 1 and done[0].written > 0
    assert RideStatusSnapshot.objects.count() == done[0].written  # nothing of the second park
    run = CollectionRun.objects.get()
    assert run.status == "FAILED" and "another holder took it" in run.errors[0]["error"]


def test_the_command_prints_a_line_per_park_and_a_summary(catalog):
    out = StringIO()
    with time_machine.travel(SNAPSHOT + timedelta(seconds=20)):
        call_command("collect_snapshots", stdout=out)
    text = out.getvalue()
    assert "[Universal Studios Florida] 10 written, 0 duplicate(s), 3 stale" in text
    assert "SUCCESS: 2 park(s) ok, 0 failed, 20 observation(s) written" in text
    assert CollectionRun.objects.get().observations_written == 20


def test_the_command_is_silent_at_verbosity_zero_and_refuses_unknown_parks(catalog):
    out = StringIO()
    with time_machine.travel(SNAPSHOT + timedelta(seconds=20)):
        call_command("collect_snapshots", "--park", str(catalog["usf"].pk), verbosity=0, stdout=out)
    assert out.getvalue() == ""
    with pytest.raises(CommandError, match="unknown park"):
        call_command("collect_snapshots", "--park", "999999")
