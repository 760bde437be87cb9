"""End to end in headless Chromium (Debian's chromium, driven by Playwright): log into the admin,
resolve a quality issue with a note, confirm a ride mapping. Screenshots go to test-artifacts/."""
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse

from quality.choices import IssueType, ResolutionStatus
from quality.services import quality_issue_record

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(monkeypatch):
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    # Playwright's sync API keeps an event loop on this thread; the ORM calls below are plain sync code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(15000)
        yield page
        browser.close()


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_an_operator_resolves_an_issue_and_confirms_a_mapping_in_the_browser(live_server, browser_page, park, ride):
    page = browser_page
    User.objects.create_superuser("operator", "op@example.com", "s3cret-pass")
    issue = quality_issue_record(issue_type=IssueType.GAP, description="Collector outage 12:10-13:00", park=park)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "s3cret-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#back-office-links")
    assert "Operations dashboard" in page.content()
    shot(page, "01-admin-index")

    page.goto(f"{live_server.url}/admin/quality/dataqualitylog/")
    assert page.inner_text('a[data-status="OPEN"]').endswith("1")
    page.check(f'input[name="_selected_action"][value="{issue.pk}"]')
    page.select_option("select[name=action]", "mark_resolved")
    page.click("button[name=index]")
    page.wait_for_selector("#transition-form")
    shot(page, "02-note-form")
    page.fill("textarea[name=note]", "Collector restarted; outage confirmed in the logs.")
    page.click("#transition-form input[type=submit]")
    page.wait_for_selector("ul.messagelist")
    assert "1 issue(s) marked RESOLVED." in page.inner_text("ul.messagelist")
    assert page.inner_text('a[data-status="RESOLVED"]').endswith("1")
    shot(page, "03-issue-resolved")
    issue.refresh_from_db()
    assert issue.resolution_status == ResolutionStatus.RESOLVED and "Collector restarted" in issue.notes

    page.goto(f"{live_server.url}{reverse('admin:quality_dashboard')}")
    assert page.inner_text("#freshness").count(park.name) == 1
    shot(page, "04-dashboard")

    page.goto(f"{live_server.url}{reverse('admin:quality_storage')}")
    page.click("input[value='Measure now']")
    page.wait_for_selector("ul.messagelist")
    assert "table(s) measured" in page.inner_text("ul.messagelist")
    assert page.locator("#growth svg").count() == 1 and page.locator("#retention tr").count() == 5
    shot(page, "05-storage")
    _confirm_a_ride_mapping(page, live_server, park, ride)


def _confirm_a_ride_mapping(page, live_server, park, ride):
    """The importer's RideMapping admin: select a NEEDS_REVIEW mapping and run its confirm action."""
    from importer.models import RideMapping

    try:
        url = reverse("admin:importer_ridemapping_changelist")
    except NoReverseMatch:
        pytest.skip("importer's RideMapping admin is not registered yet; the quality steps above passed")
    from themepark.tests.factories import make_ride

    provisional = make_ride(park, name=f"{ride.name} (archive)")
    mapping = RideMapping.objects.create(archive_entity_id="e2e-entity-1", archive_name=provisional.name, park=park,
                                         ride=provisional, provisional=True, score=82.0, method="FUZZY",
                                         status="NEEDS_REVIEW",
                                         candidates=[{"ride_id": ride.pk, "name": ride.name, "score": 82.0}])
    page.goto(f"{live_server.url}{url}?status__exact=NEEDS_REVIEW")
    page.check(f'input[name="_selected_action"][value="{mapping.pk}"]')
    options = page.eval_on_selector_all("select[name=action] option", "els => els.map(e => e.value)")
    confirm = next(value for value in options if "confirm" in value.lower())
    page.select_option("select[name=action]", confirm)
    with page.expect_navigation():
        page.click("button[name=index]")
    if page.query_selector("ul.messagelist") is None:  # an intermediate confirmation page
        with page.expect_navigation():
            page.click("#content form input[type=submit]")
    assert "1 mapping(s)" in page.inner_text("ul.messagelist")
    shot(page, "06-mapping-confirmed")
    mapping.refresh_from_db()
    assert (mapping.status, mapping.ride_id) == ("CONFIRMED", ride.pk)
