"""The demo: a dormant-clients campaign with a script, some calls logged, website requests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callpulse.campaigns.demo import build_demo
from callpulse.campaigns.models import Campaign, CampaignAttempt, CampaignStatus
from callpulse.campaigns.selectors import campaign_progress, script_results
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory
from callpulse.telephony.models import Callback, CallbackReason

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_worked_campaign_and_website_requests(make_user):
    make_user("head_of_sales")
    for n in range(3):
        make_user("operator", extension=f"60{n}")
    for n in range(30):
        client = ClientFactory(last_order_at=NOW - timedelta(days=120))
        client.created_at = NOW - timedelta(days=400)
        client.save(update_fields=["created_at"])
        PhoneFactory(client=client, number=f"+7701666{n:04d}")
    counts = build_demo(seed=42, now=NOW)
    assert counts["campaigns"] == 1 and counts["campaign_records"] == 30
    assert counts["campaign_attempts"] == 6 and counts["web_callbacks"] == 5
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.ACTIVE and campaign.script.steps.count() == 4
    assert campaign_progress(campaign).attempts == 6
    reached = sum(1 for a in CampaignAttempt.objects.all() if a.disposition.reached)
    greeted = {r.key: r.total for r in script_results(campaign)}.get("greet", 0)
    assert reached > 0 and greeted == reached  # every reached client answered the script
    assert Callback.objects.filter(reason=CallbackReason.WEBSITE).count() == 5
    again = build_demo(seed=42, now=NOW)  # a second run adds no second campaign
    assert again["campaigns"] == 0 and Campaign.objects.count() == 1


def test_the_demo_does_nothing_without_staff():
    assert build_demo(seed=1, now=NOW)["campaigns"] == 0
