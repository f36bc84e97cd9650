"""The planner in a real browser: start a forecast, watch its progress bar fill, see the chart.

The job runs on the in-process thread pool (not inline), as in production; the page polls the
job's card with htmx every second. The forecast is slowed a little so the running state is on
screen long enough to be seen.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from callpulse.workforce import services
from callpulse.workforce.models import JobStatus, PlanningJob
from callpulse.workforce.tests.conftest import MONDAY, history_csv

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/callpulse-workforce.png"


@pytest.fixture
def planner(make_user, settings):
    settings.CALLPULSE_WFM_JOBS_INLINE = False
    user = make_user("workforce_planner", username="planner", full_name="Планировщик Асель")
    services.history_import_csv(actor=user, content=history_csv())
    return user


@pytest.fixture
def slow_forecast(monkeypatch):
    from callpulse.wfm import forecast

    real = forecast.forecast_series

    def slowly(*args, **kwargs):
        time.sleep(1.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(forecast, "forecast_series", slowly)


def test_the_planner_runs_a_forecast_and_sees_progress_then_the_chart(
    page: Page, sign_in, planner, slow_forecast
):
    sign_in("planner")
    page.goto("/workforce/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce planning")
    page.evaluate(
        """() => {
            window.seen = [];
            new MutationObserver(() => {
                for (const card of document.querySelectorAll("#jobs-live .job")) {
                    const bar = card.querySelector("progress");
                    window.seen.push(card.dataset.status + ":" + (bar ? bar.value : ""));
                }
            }).observe(document.getElementById("jobs-live"), {childList: true, subtree: true});
        }"""
    )
    page.get_by_label("First day").fill((MONDAY + timedelta(days=14)).isoformat())
    page.get_by_label("Days", exact=True).fill("2")
    page.get_by_role("button", name="Run forecast").click()

    card = page.locator("#jobs-live .job").first
    expect(card.get_by_role("progressbar")).to_be_visible()
    expect(card).to_have_attribute("data-status", "done", timeout=30_000)
    expect(card.get_by_role("progressbar")).to_have_attribute("value", "100")
    expect(card.locator("svg.chart")).to_be_visible()
    expect(card).to_contain_text("Method chosen by backtest")

    page.screenshot(path=SCREENSHOT, full_page=True)

    seen = page.evaluate("window.seen")
    assert any(s.startswith(("queued", "running")) for s in seen), seen
    assert seen[-1] == "done:100"
    job = PlanningJob.objects.get()
    assert job.status == JobStatus.DONE and job.forecast_rows.count() == 2 * 18
    assert job.created_by == planner
