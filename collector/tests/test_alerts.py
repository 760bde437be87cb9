"""Alerts end to end: collection detects a ride going down or reopening and writes the event to
the outbox with the observations; deliver_alerts posts it, signed, to a webhook receiver on
loopback that fails twice and then accepts, retrying with backoff; dead letters; the Atom feed;
the staff API and the admin."""
import copy
import io
import json
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from collector.alerts.deliver import (IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, alerts_deliver, backoff,
                                      signature_valid)
from collector.alerts.detect import alert_events_record
from collector.models import AlertDelivery, AlertEvent, AlertSubscription
from collector.services import snapshots_collect
from collector.tests.conftest import SNAPSHOT, USF
from collector.fakeapi import fixture, serve, stop
from themepark.models import Park, Ride
from themepark.tests.factories import make_park, make_ride
from warehouse.ingest import Observation, ingest
from warehouse.models import LiveParkState

pytestmark = pytest.mark.django_db
UTC = timezone.utc
GRINGOTTS = "70ac72a3-9675-4c41-a1b1-e4801072927a"
ROCKIT = "2c72d1d0-7106-439d-9672-5bf95795ccea"  # DOWN in the fixture
RECEIVER_PORTS = range(8180, 8190)


class Receiver:
    """A webhook receiver on 127.0.0.1 (ports 8180-8189) answering `statuses` in turn (the last
    one repeats) and recording every request."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        self.server = None

    def __enter__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                receiver.requests.append({"headers": dict(self.headers), "body": body, "answer": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        for port in RECEIVER_PORTS:
            try:
                self.server = serve(Handler, port)
                return self
            except OSError:
                continue
        pytest.skip("no free port in 8180-8189 for the webhook receiver")

    def __exit__(self, *exc):
        stop(self.server)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/themepark"


def live_with(statuses):
    """The USF live page with some entities' statuses replaced."""
    page = copy.deepcopy(fixture(f"themeparks_wiki/live_{USF}.json"))
    for item in page["liveData"]:
        if item["id"] in statuses:
            item["status"] = statuses[item["id"]]
    return page


def collect(api, at, statuses=None):
    api.script[f"/v1/entity/{USF}/live"] = [live_with(statuses or {})]
    return snapshots_collect(now=at)


def subscribe(ride_tpw_id, target_url="", events=("went_down", "reopened")):
    return AlertSubscription.objects.create(name="test", ride=Ride.objects.get(themeparks_wiki_id=ride_tpw_id),
                                            events=list(events), target_url=target_url)


def test_a_ride_going_down_is_delivered_signed_after_two_failed_attempts(api, catalog, settings):
    settings.ALERT_MAX_ATTEMPTS = 5
    with Receiver([500, 503, 200]) as receiver:
        subscription = subscribe(GRINGOTTS, receiver.url)
        collect(api, SNAPSHOT)
        assert not AlertEvent.objects.exists()  # nothing to compare with yet
        collect(api, SNAPSHOT + timedelta(minutes=5), {GRINGOTTS: "DOWN"})
        event = AlertEvent.objects.get()
        assert (event.event_type, event.ride.themeparks_wiki_id, event.from_state, event.to_state) == (
            "went_down", GRINGOTTS, "OPERATING", "DOWN")
        assert event.occurred_at == SNAPSHOT + timedelta(minutes=5)

        t0 = SNAPSHOT + timedelta(minutes=6)
        first = alerts_deliver(now=t0)
        assert (first.dispatched, first.attempted, first.failed) == (1, 1, 1)
        assert alerts_deliver(now=t0 + backoff(1) - timedelta(seconds=1)).attempted == 0  # still backing off
        second = alerts_deliver(now=t0 + backoff(1))
        assert (second.attempted, second.failed) == (1, 1)
        third = alerts_deliver(now=t0 + backoff(1) + backoff(2))
        assert (third.attempted, third.delivered) == (1, 1)
        assert alerts_deliver(now=t0 + timedelta(days=1)).attempted == 0

    assert [r["answer"] for r in receiver.requests] == [500, 503, 200]
    delivery = AlertDelivery.objects.get()
    assert AlertDelivery.objects.filter(status="DELIVERED").count() == 1
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("DELIVERED", 3, 200)
    assert [entry["status"] for entry in delivery.log] == [500, 503, 200]
    accepted = receiver.requests[-1]
    headers = accepted["headers"]
    assert signature_valid(subscription.secret, headers[TIMESTAMP_HEADER], accepted["body"],
                           headers[SIGNATURE_HEADER])
    assert not signature_valid("another secret", headers[TIMESTAMP_HEADER], accepted["body"],
                               headers[SIGNATURE_HEADER])
    assert not signature_valid(subscription.secret, headers[TIMESTAMP_HEADER], accepted["body"] + b" ",
                               headers[SIGNATURE_HEADER])
    assert int(headers[TIMESTAMP_HEADER]) == int((t0 + backoff(1) + backoff(2)).timestamp())
    assert {r["headers"][IDEMPOTENCY_HEADER] for r in receiver.requests} == {str(event.key)}
    payload = json.loads(accepted["body"])
    assert (payload["event"], payload["ride"]["name"], payload["from"], payload["to"]) == (
        "went_down", "Harry Potter and the Escape from Gringotts™", "OPERATING", "DOWN")


def test_reopening_and_the_park_feed(api, catalog, client):
    subscribe(ROCKIT)  # feed only: no target, no delivery
    collect(api, SNAPSHOT)
    collect(api, SNAPSHOT + timedelta(minutes=5), {ROCKIT: "OPERATING"})
    collect(api, SNAPSHOT + timedelta(minutes=10), {ROCKIT: "DOWN"})
    assert list(AlertEvent.objects.order_by("occurred_at").values_list("event_type", flat=True)) == [
        "reopened", "went_down"]
    assert alerts_deliver(now=SNAPSHOT + timedelta(minutes=11)).dispatched == 0
    assert not AlertDelivery.objects.exists()

    response = client.get(f"/feeds/parks/{catalog['usf'].pk}/events.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(response.content).findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == ["Hollywood Rip Ride Rockit™ went down",
                                                             "Hollywood Rip Ride Rockit™ reopened"]
    assert entries[0].find("a:id", ns).text.startswith("urn:uuid:")
    assert client.get("/feeds/parks/999999/events.atom").status_code == 404


def test_collecting_the_same_moment_again_writes_no_second_event(api, catalog):
    subscribe(GRINGOTTS)
    collect(api, SNAPSHOT)
    collect(api, SNAPSHOT + timedelta(minutes=5), {GRINGOTTS: "DOWN"})
    collect(api, SNAPSHOT + timedelta(minutes=5, seconds=40), {GRINGOTTS: "DOWN"})
    collect(api, SNAPSHOT + timedelta(minutes=10), {GRINGOTTS: "DOWN"})
    assert AlertEvent.objects.count() == 1


def test_nothing_is_detected_without_a_subscription(api, catalog):
    collect(api, SNAPSHOT)
    collect(api, SNAPSHOT + timedelta(minutes=5), {GRINGOTTS: "DOWN", ROCKIT: "OPERATING"})
    assert not AlertEvent.objects.exists()


def test_a_failing_webhook_is_dead_lettered_after_the_allowed_attempts(api, catalog, settings):
    settings.ALERT_MAX_ATTEMPTS = 3
    with Receiver([500]) as receiver:
        subscribe(GRINGOTTS, receiver.url)
        collect(api, SNAPSHOT)
        collect(api, SNAPSHOT + timedelta(minutes=5), {GRINGOTTS: "DOWN"})
        at = SNAPSHOT + timedelta(minutes=6)
        for attempt in range(1, 6):
            alerts_deliver(now=at)
            at += backoff(attempt)
    assert len(receiver.requests) == 3
    delivery = AlertDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("DEAD", 3, None)
    assert delivery.last_error.startswith("HTTP 500")


def test_a_refused_connection_is_a_failed_attempt(api, catalog):
    subscribe(GRINGOTTS, "http://127.0.0.1:8189/closed")  # nothing listens there
    collect(api, SNAPSHOT)
    collect(api, SNAPSHOT + timedelta(minutes=5), {GRINGOTTS: "DOWN"})
    assert alerts_deliver(now=SNAPSHOT + timedelta(minutes=6)).failed == 1
    delivery = AlertDelivery.objects.get()
    assert delivery.response_status is None and "ConnectionError" in delivery.last_error


def test_park_subscriptions_cover_the_park_opening_and_closing_and_its_rides():
    park = make_park(reports_down=False)
    ride = make_ride(park)
    AlertSubscription.objects.create(name="park", park=park, events=["park_opened", "park_closed", "went_down"])
    LiveParkState.objects.create(park=park, is_open=False)
    at = datetime(2025, 7, 16, 13, 0, tzinfo=UTC)
    ingest([Observation(ride.pk, at - timedelta(minutes=5), "OPERATING", 5, "LIVE")], now=at)
    assert alert_events_record(park, [Observation(ride.pk, at, "CLOSED", None, "LIVE")], at=at, park_open=True) == 2
    assert set(AlertEvent.objects.values_list("event_type", flat=True)) == {"park_opened", "went_down"}
    later = at + timedelta(hours=10)
    assert alert_events_record(park, [Observation(ride.pk, later, "CLOSED", None, "LIVE")], at=later,
                               park_open=False) == 1
    assert AlertEvent.objects.filter(event_type="park_closed", ride=None).count() == 1
    # a ride closing with its park is no breakdown, and the park stays closed: nothing new
    assert alert_events_record(park, [Observation(ride.pk, later + timedelta(minutes=5), "CLOSED", None, "LIVE")],
                               at=later + timedelta(minutes=5), park_open=False) == 0


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_staff_api_creates_and_lists_subscriptions(staff, ride):
    url = "/api/admin/alerts/subscriptions"
    assert APIClient().get(url).status_code == 401
    created = staff.post(url, {"name": "hook", "ride": ride.pk, "events": ["went_down", "reopened"],
                               "target_url": "http://127.0.0.1:8181/hook"}, format="json")
    assert created.status_code == 201
    data = created.json()["data"]
    assert created.json()["success"] is True
    assert len(data["secret"]) == 64 and data["events"] == ["reopened", "went_down"]
    both = staff.post(url, {"name": "x", "ride": ride.pk, "park": ride.park_id, "events": ["went_down"]},
                      format="json")
    assert both.status_code == 400 and both.json()["success"] is False and "exactly one" in both.json()["error"]
    wrong = staff.post(url, {"name": "x", "ride": ride.pk, "events": ["park_opened"]}, format="json")
    assert wrong.status_code == 400
    listed = staff.get(url).json()
    assert listed["success"] and listed["count"] == 1 and listed["data"][0]["name"] == "hook"
    changed = staff.patch(f"{url}/{data['id']}", {"is_active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["data"]["is_active"] is False
    assert staff.get("/api/admin/alerts/deliveries").json()["count"] == 0
    assert staff.get("/api/admin/alerts/events").json()["count"] == 0


def test_the_admin_lists_subscriptions_and_the_delivery_log(admin_client, ride):
    AlertSubscription.objects.create(name="hook", ride=ride, events=["went_down"], target_url="http://127.0.0.1:8181/")
    for page in ("alertsubscription", "alertdelivery", "alertevent"):
        assert admin_client.get(f"/admin/collector/{page}/").status_code == 200
    assert admin_client.get("/admin/collector/alertsubscription/add/").status_code == 200
    assert admin_client.get("/admin/collector/alertdelivery/add/").status_code == 403


def test_the_deliver_alerts_command_reports_its_run(db):
    out = io.StringIO()
    call_command("deliver_alerts", stdout=out)
    assert "0 new deliveries; 0 attempted" in out.getvalue()


def test_replay_detects_ride_events_in_stored_history_without_notifying(ride):
    Park.objects.filter(pk=ride.park_id).update(reports_down=False)  # CLOSED is down there too
    AlertSubscription.objects.create(name="hook", ride=ride, events=["went_down", "reopened"],
                                     target_url="http://127.0.0.1:8181/")
    start = datetime(2024, 3, 9, 14, 0, tzinfo=UTC)
    statuses = ["OPERATING", "OPERATING", "DOWN", "DOWN", "OPERATING", "CLOSED", "REFURBISHMENT", "OPERATING"]
    ingest([Observation(ride.pk, start + timedelta(minutes=15 * i), status, None, "ARCHIVE")
            for i, status in enumerate(statuses)], now=start + timedelta(days=1))
    out = io.StringIO()
    call_command("alerts_replay", park_id=ride.park_id, start=date(2024, 3, 9), end=date(2024, 3, 9), stdout=out)
    assert "3 new event(s)" in out.getvalue()  # down 14:30, up 15:00, CLOSED 15:15
    events = list(AlertEvent.objects.order_by("occurred_at").values_list("event_type", "occurred_at"))
    assert events == [("went_down", start + timedelta(minutes=30)), ("reopened", start + timedelta(minutes=60)),
                      ("went_down", start + timedelta(minutes=75))]
    assert alerts_deliver(now=start + timedelta(days=1)).dispatched == 0  # the past notifies no webhook
    call_command("alerts_replay", park_id=ride.park_id, start=date(2024, 3, 9), end=date(2024, 3, 9), stdout=out)
    assert AlertEvent.objects.count() == 3


def test_the_outbox_commits_with_the_observations_or_not_at_all(api, catalog, monkeypatch):
    from warehouse.models import RideStatusSnapshot

    subscribe(GRINGOTTS)
    collect(api, SNAPSHOT)
    stored = RideStatusSnapshot.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(AlertEvent.objects, "bulk_create", broken)
    result = collect(api, SNAPSHOT + timedelta(minutes=5), {GRINGOTTS: "DOWN"})
    usf = next(o for o in result.outcomes if o.park_id == catalog["usf"].pk)
    assert "outbox unavailable" in usf.error
    assert not RideStatusSnapshot.objects.filter(ride__park=catalog["usf"], recorded_at=SNAPSHOT + timedelta(minutes=5))
    assert RideStatusSnapshot.objects.count() > stored  # the other park of the run committed on its own
    assert not AlertEvent.objects.exists()


def test_a_dead_letter_can_be_retried_through_the_staff_api(api, catalog, staff, settings):
    settings.ALERT_MAX_ATTEMPTS = 1
    subscribe(GRINGOTTS, "http://127.0.0.1:8189/closed")
    collect(api, SNAPSHOT)
    collect(api, SNAPSHOT + timedelta(minutes=5), {GRINGOTTS: "DOWN"})
    assert alerts_deliver(now=SNAPSHOT + timedelta(minutes=6)).dead == 1
    delivery = AlertDelivery.objects.get()
    listed = staff.get("/api/admin/alerts/deliveries", {"status": "DEAD"}).json()
    assert listed["count"] == 1 and listed["data"][0]["event_type"] == "went_down"
    assert staff.post(f"/api/admin/alerts/deliveries/{delivery.pk}/retry").json()["data"]["status"] == "PENDING"
    again = staff.post(f"/api/admin/alerts/deliveries/{delivery.pk}/retry")
    assert again.status_code == 400 and again.json()["success"] is False
    events = staff.get("/api/admin/alerts/events", {"ride_id": delivery.event.ride_id}).json()
    assert [e["event_type"] for e in events["data"]] == ["went_down"]
