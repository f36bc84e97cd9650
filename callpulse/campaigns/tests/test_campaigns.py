"""Campaigns: segments and imports, the hand-out, dialing, dispositions and retries across time
zones, do-not-call on every path, orders credited, results, the owner's report, the daily job."""

from __future__ import annotations

import io
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook, load_workbook

from callpulse.campaigns import selectors, services
from callpulse.campaigns.models import (
    Campaign,
    CampaignRecord,
    CampaignStatus,
    RecordStatus,
    Segment,
)
from callpulse.core.models import Notification
from callpulse.crm.models import DoNotCall
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type
from callpulse.orders.models import Order, OrderStatus
from callpulse.telephony.models import CommandKind, PhoneCommand

from .conftest import NOW
from .test_scripts import SURVEY

pytestmark = pytest.mark.django_db


def dormant_client(number: str, *, days: int = 90, **fields):
    client = ClientFactory(last_order_at=NOW - timedelta(days=days), **fields)
    client.created_at = NOW - timedelta(days=400)
    client.save(update_fields=["created_at"])
    PhoneFactory(client=client, number=number)
    return client


def make_campaign(head, operators, *, segment=Segment.DORMANT, params=None, **fields):
    fields.setdefault("name", "Спящие клиенты")
    data = services.CampaignInput(
        segment=segment,
        segment_params=params if params is not None else {"days": 60},
        operators=operators,
        **fields,
    )
    return services.campaign_create(actor=head, data=data)


def test_any_campaign_name_exports_to_xlsx(clock, head, operator, client):
    campaign = make_campaign(head, [operator], name="Dormant: win back [Q4] 50/50?")
    client.force_login(head)
    xlsx = client.get(f"/campaigns/{campaign.pk}/export.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).active.title == "Dormant  win back  Q4  50 50"


@pytest.fixture
def running(clock, head, make_operator):
    """An active dormant-clients campaign with two operators and three clients to call."""
    ops = [make_operator(), make_operator()]
    for n in range(3):
        dormant_client(f"+7701555000{n}")
    dormant_client("+77015559999", days=10)  # ordered recently: not dormant
    campaign = make_campaign(head, ops, max_attempts=2, retry_minutes=60)
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    return campaign, ops


def test_only_managers_create_campaigns_and_bad_input_is_named(clock, head, operator):
    with pytest.raises(PermissionDenied):
        make_campaign(operator, [operator])
    with pytest.raises(ValidationError) as error:
        make_campaign(head, [operator], params={"days": 0}, max_attempts=0)
    assert {"segment_params", "max_attempts"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        make_campaign(head, [operator], calling_from=time(7, 0))
    assert "calling_from" in error.value.message_dict


def test_the_dormant_segment_lists_clients_without_an_order_for_n_days(running):
    campaign, _ops = running
    records = CampaignRecord.objects.filter(campaign=campaign)
    assert sorted(records.values_list("phone", flat=True)) == [
        "+77015550000",
        "+77015550001",
        "+77015550002",
    ]
    assert campaign.dispositions.filter(code="no_answer", retry=True).exists()


def test_type_region_and_product_segments(clock, head, operator):
    key = ClientFactory(client_type=client_type("key"), region="Шымкент")
    PhoneFactory(client=key, number="+77015550101")
    other = ClientFactory(region="Алматы")
    PhoneFactory(client=other, number="+77015550102")
    by_type = make_campaign(
        head, [operator], segment=Segment.CLIENT_TYPE, params={"values": ["key"]}
    )
    by_region = make_campaign(
        head, [operator], segment=Segment.REGION, params={"values": ["Алматы"]}
    )
    assert services.campaign_build_list(campaign=by_type) == 1
    assert by_type.records.get().client == key
    assert services.campaign_build_list(campaign=by_region) == 1
    assert by_region.records.get().client == other
    from callpulse.catalog.tests.factories import make_catalog
    from callpulse.orders.models import OrderLine

    product = make_catalog(skus=1)[0]
    order = Order.objects.create(
        client=key, taken_by=operator, status=OrderStatus.ACCEPTED, accepted_at=NOW
    )
    OrderLine.objects.create(
        order=order, product=product, quantity=1, base_price=1, unit_price=1, line_total=1
    )
    by_product = make_campaign(head, [operator], segment=Segment.PRODUCT, params={"sku": "P1"})
    assert services.campaign_build_list(campaign=by_product) == 1
    assert by_product.records.get().client == key


def test_pending_car_service_segments_build_nothing(clock, head, operator):
    campaign = make_campaign(head, [operator], segment=Segment.CAR_BUYERS_7D, params={})
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    assert services.campaign_build_list(campaign=campaign) == 0
    assert not campaign.records.exists()
    assert services.campaigns_daily().pending_segments == [campaign.name]


def test_a_csv_import_adds_good_rows_and_names_bad_ones(clock, head, operator):
    campaign = make_campaign(head, [operator], segment=Segment.IMPORT, params={})
    DoNotCall.objects.create(number="+77015550003")
    content = (
        "phone;name;timezone;car\n"
        "8 701 555 00 01;Ержан;Asia/Almaty;Camry\n"
        "12;Плохой;;\n"
        "+77015550002;Дана;Mars/Base;\n"
        "+77015550003;Отказ;;\n"
        "+7 701 555 0001;Дубль;;\n"
    ).encode()
    result = services.campaign_import(
        actor=head, campaign=campaign, name="cold.csv", content=content
    )
    assert result.added == 1 and result.duplicates == 1 and result.do_not_call == 1
    assert [e.split(":")[0] for e in result.errors] == ["Row 3", "Row 4"]
    record = campaign.records.get()
    assert record.name == "Ержан" and record.data == {"car": "Camry"}


def test_an_xlsx_import_works_too(clock, head, operator):
    campaign = make_campaign(head, [operator], segment=Segment.IMPORT, params={})
    book = Workbook()
    sheet = book.active
    sheet.append(["Phone", "Name"])
    sheet.append(["+77015550001", "Асель"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = services.campaign_import(
        actor=head, campaign=campaign, name="list.xlsx", content=buffer.getvalue()
    )
    assert result.added == 1 and not result.errors
    with pytest.raises(ValidationError):
        services.campaign_import(actor=head, campaign=campaign, name="x.txt", content=b"phone")
    with pytest.raises(PermissionDenied):
        services.campaign_import(
            actor=operator, campaign=campaign, name="list.xlsx", content=buffer.getvalue()
        )


def test_two_operators_never_get_the_same_record(running):
    campaign, (first, second) = running
    a = services.campaign_next_record(actor=first, campaign=campaign)
    b = services.campaign_next_record(actor=second, campaign=campaign)
    assert a is not None and b is not None and a.pk != b.pk
    assert services.campaign_next_record(actor=first, campaign=campaign).pk == a.pk  # held


def test_only_assigned_operators_work_an_active_campaign(running, make_operator, head):
    campaign, _ops = running
    with pytest.raises(PermissionDenied):
        services.campaign_next_record(actor=make_operator(), campaign=campaign)
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.PAUSED)
    with pytest.raises(ValidationError):
        services.campaign_next_record(actor=_ops[0], campaign=campaign)


def test_the_hand_out_skips_do_not_call_and_clients_outside_their_hours(clock, head, make_operator):
    op = make_operator()
    dormant_client("+77015550001")
    dormant_client("+77015550002", timezone="America/New_York")  # 01:00 there
    dormant_client("+77015550003")
    DoNotCall.objects.create(number="+77015550003")
    campaign = make_campaign(head, [op])
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    assert campaign.records.count() == 2  # the DNC number was left out of the list
    DoNotCall.objects.create(number="+77015550001")  # refused after the list was built
    assert services.campaign_next_record(actor=op, campaign=campaign) is None


def test_a_dial_goes_through_the_one_dial_service(running):
    campaign, (op, _other) = running
    record = services.campaign_next_record(actor=op, campaign=campaign)
    attempt = services.campaign_dial(actor=op, record=record)
    command = attempt.command
    assert command.kind == CommandKind.DIAL and command.number == record.phone
    assert command.extension == op.extension
    record.refresh_from_db()
    assert record.attempts == 1


def test_a_record_put_on_do_not_call_cannot_be_dialled(running, head):
    campaign, (op, _other) = running
    record = services.campaign_next_record(actor=op, campaign=campaign)
    DoNotCall.objects.create(number=record.phone)  # e.g. added through the API meanwhile
    with pytest.raises(ValidationError):
        services.campaign_dial(actor=op, record=record)
    assert not PhoneCommand.objects.exists()


def test_campaign_calling_hours_hold_on_the_clients_clock(clock, head, make_operator):
    op = make_operator()
    dormant_client("+77015550001")
    campaign = make_campaign(head, [op], calling_from=time(9, 0), calling_until=time(12, 0))
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    record = services.campaign_next_record(actor=op, campaign=campaign)
    with pytest.raises(ValidationError):
        services.campaign_dial(actor=op, record=record, at=NOW.replace(hour=12, minute=30))


def test_no_answer_comes_back_after_the_retry_minutes_then_fails(running):
    campaign, (op, _other) = running
    no_answer = campaign.dispositions.get(code="no_answer")
    record = services.campaign_next_record(actor=op, campaign=campaign)
    services.campaign_dial(actor=op, record=record)
    record = services.campaign_disposition_log(actor=op, record=record, disposition=no_answer)
    assert record.status == RecordStatus.PENDING and record.assigned_to is None
    assert record.next_attempt_at == NOW + timedelta(minutes=60)
    assert services.campaign_next_record(actor=op, campaign=campaign).pk != record.pk
    CampaignRecord.objects.filter(assigned_to=op).update(status=RecordStatus.DONE)
    later = NOW + timedelta(minutes=61)
    again = services.campaign_next_record(actor=op, campaign=campaign, at=later)
    while again.pk != record.pk:  # the others first, by their due time
        again.status = RecordStatus.DONE
        again.save()
        again = services.campaign_next_record(actor=op, campaign=campaign, at=later)
    services.campaign_dial(actor=op, record=again, at=later)
    record = services.campaign_disposition_log(
        actor=op, record=again, disposition=no_answer, at=later
    )
    assert record.status == RecordStatus.FAILED  # 2 attempts at most


def test_a_retry_moves_into_the_clients_calling_hours(clock, head, make_operator):
    op = make_operator()
    dormant_client("+77015550001", timezone="Asia/Almaty")
    campaign = make_campaign(head, [op], retry_minutes=120)
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    evening = NOW.replace(hour=19, minute=0)
    record = services.campaign_next_record(actor=op, campaign=campaign, at=evening)
    services.campaign_dial(actor=op, record=record, at=evening)
    record = services.campaign_disposition_log(
        actor=op,
        record=record,
        disposition=campaign.dispositions.get(code="busy"),
        at=evening,
    )
    # 19:00 + 2 h = 21:00, after 20:00 → 09:00 next morning on the client's clock
    assert record.next_attempt_at == (evening + timedelta(days=1)).replace(hour=9)


def test_a_refusal_puts_the_number_on_do_not_call_everywhere(running):
    campaign, (op, _other) = running
    record = services.campaign_next_record(actor=op, campaign=campaign)
    services.campaign_dial(actor=op, record=record)
    services.campaign_disposition_log(
        actor=op, record=record, disposition=campaign.dispositions.get(code="refused")
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.EXCLUDED
    assert DoNotCall.objects.filter(number=record.phone).exists()
    from callpulse.telephony import services as telephony

    with pytest.raises(ValidationError):
        telephony.dial_request(actor=op, number=record.phone)


def test_a_client_refuses_in_one_click(clock, operator):
    client = ClientFactory()
    PhoneFactory(client=client, number="+77015550001")
    PhoneFactory(client=client, number="+77015550002")
    services.client_refuses_calls(actor=operator, client=client)
    assert set(DoNotCall.objects.values_list("number", flat=True)) == {
        "+77015550001",
        "+77015550002",
    }


def test_only_the_head_of_sales_removes_a_number_from_the_list(clock, operator, head, api_as):
    entry = services.dnc_add(actor=operator, number="+77015550001", reason="asked")
    assert api_as(operator).delete(f"/api/v1/do-not-call/{entry.pk}/").status_code == 403
    assert api_as(head).delete(f"/api/v1/do-not-call/{entry.pk}/").status_code == 204
    assert not DoNotCall.objects.exists()


def test_script_answers_are_stored_per_call_and_tabulated(clock, head, make_operator):
    ops = [make_operator(), make_operator()]
    for n in range(2):
        dormant_client(f"+7701555000{n}")
    script = services.script_save(actor=head, name="Survey", source=SURVEY)
    campaign = make_campaign(head, ops, script=script)
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    interested = campaign.dispositions.get(code="interested")
    answers = [
        {"greet": "Yes", "quality": "No", "why": "Late deliveries"},
        {"greet": "Yes", "quality": "Yes"},
    ]
    for op, given in zip(ops, answers, strict=True):
        record = services.campaign_next_record(actor=op, campaign=campaign)
        services.campaign_dial(actor=op, record=record)
        services.campaign_disposition_log(
            actor=op, record=record, disposition=interested, answers=given
        )
    results = {r.key: dict(r.answers) for r in selectors.script_results(campaign)}
    assert results["greet"] == {"Yes": 2}
    assert results["quality"] == {"No": 1, "Yes": 1}
    assert results["why"] == {"Late deliveries": 1}
    assert "thanks" not in results  # a line to say has no answer


def test_wrong_branch_answers_leave_the_record_untouched(clock, head, make_operator):
    op = make_operator()
    dormant_client("+77015550001")
    script = services.script_save(actor=head, name="Survey", source=SURVEY)
    campaign = make_campaign(head, [op], script=script)
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    record = services.campaign_next_record(actor=op, campaign=campaign)
    services.campaign_dial(actor=op, record=record)
    with pytest.raises(ValidationError):
        services.campaign_disposition_log(
            actor=op,
            record=record,
            disposition=campaign.dispositions.get(code="interested"),
            answers={"greet": "No", "quality": "Yes"},
        )
    record.refresh_from_db()
    assert record.status == RecordStatus.IN_PROGRESS and record.disposition is None


def test_an_order_from_a_campaign_call_is_credited_and_the_owner_gets_the_report(
    clock, head, make_operator
):
    op = make_operator()
    client = dormant_client("+77015550001")
    campaign = make_campaign(head, [op])
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    record = services.campaign_next_record(actor=op, campaign=campaign)
    services.campaign_dial(actor=op, record=record)
    order = services.campaign_order_start(actor=op, record=record)
    assert order.client == client
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.ACCEPTED, accepted_at=NOW, total=Decimal("125000.00")
    )
    services.campaign_disposition_log(
        actor=op, record=record, disposition=campaign.dispositions.get(code="order")
    )
    progress = selectors.campaign_progress(campaign)
    assert progress.orders == 1 and progress.revenue == Decimal("125000.00")
    assert progress.reached == 1 and progress.done == 1
    assert progress.by_operator[0].orders == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED  # the last record was done
    report = Notification.objects.get(recipient=head)
    assert campaign.name in report.title and "125000.00" in report.body


def test_progress_and_exports_for_managers_not_for_operators(running, client, head):
    campaign, (op, _other) = running
    record = services.campaign_next_record(actor=op, campaign=campaign)
    services.campaign_dial(actor=op, record=record)
    services.campaign_disposition_log(
        actor=op, record=record, disposition=campaign.dispositions.get(code="not_interested")
    )
    client.force_login(op)
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 403
    assert client.get(f"/campaigns/{campaign.pk}/export.csv").status_code == 403
    client.force_login(head)
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200 and b"Not interested" in page.content
    csv_text = client.get(f"/campaigns/{campaign.pk}/export.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("phone,name,client_id,status")
    assert f"{record.phone}," in csv_text and "not_interested" in csv_text
    xlsx = client.get(f"/campaigns/{campaign.pk}/export.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "phone" and len(rows) == 4


def test_the_daily_job_regenerates_scheduled_lists_and_ends_due_campaigns(
    clock, head, make_operator
):
    op = make_operator()
    dormant_client("+77015550001")
    daily = make_campaign(head, [op], regenerate_daily=True)
    ending = make_campaign(head, [op], ends_on=NOW.date())
    for campaign in (daily, ending):
        services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    dormant_client("+77015550002")
    tomorrow = NOW + timedelta(days=1)
    clock(tomorrow)
    report = services.campaigns_daily(at=tomorrow)
    assert report.lists_built == {daily.name: 2}  # a new day's list: both clients
    assert ending.name in report.finished
    assert Campaign.objects.get(pk=ending.pk).status == CampaignStatus.FINISHED
    assert services.campaigns_daily(at=tomorrow).lists_built == {}  # once a day


def test_the_operator_works_through_the_api(running, api_as):
    campaign, (op, _other) = running
    api = api_as(op)
    assert [c["id"] for c in api.get("/api/v1/campaigns/").json()["results"]] == [campaign.pk]
    record = api.post(f"/api/v1/campaigns/{campaign.pk}/next/").json()
    dial = api.post(f"/api/v1/campaign-records/{record['id']}/dial/")
    assert dial.status_code == 201
    bad = api.post(f"/api/v1/campaign-records/{record['id']}/disposition/", {"disposition": "x"})
    assert bad.status_code == 400 and "disposition" in bad.json()
    done = api.post(
        f"/api/v1/campaign-records/{record['id']}/disposition/",
        {"disposition": "interested", "notes": "ok"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/progress/").status_code == 403


def test_the_preview_screen_hands_out_dials_and_logs(running, client):
    campaign, (op, _other) = running
    client.force_login(op)
    assert client.get(f"/campaigns/{campaign.pk}/work/").status_code == 200
    client.post(f"/campaigns/{campaign.pk}/work/next/")
    record = CampaignRecord.objects.get(assigned_to=op)
    page = client.get(f"/campaigns/{campaign.pk}/work/")
    assert record.phone[-4:] in page.content.decode().replace(" ", "")
    client.post(f"/campaigns/{campaign.pk}/work/dial/", {"record": record.pk})
    assert PhoneCommand.objects.filter(number=record.phone).exists()
    missing = client.post(f"/campaigns/{campaign.pk}/work/disposition/", {"record": record.pk})
    assert missing.status_code == 400
    disposition = campaign.dispositions.get(code="interested")
    client.post(
        f"/campaigns/{campaign.pk}/work/disposition/",
        {"record": record.pk, "disposition": disposition.pk},
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.DONE


def test_screens_open_for_the_roles_that_use_them(clock, client, head, operator, make_user):
    client.force_login(head)
    for url in ["/campaigns/", "/campaigns/new/", "/campaigns/scripts/", "/campaigns/scripts/new/",
                "/campaigns/do-not-call/"]:  # fmt: skip
        assert client.get(url).status_code == 200, url
    client.force_login(operator)
    assert client.get("/campaigns/").status_code == 200
    assert client.get("/campaigns/do-not-call/").status_code == 200
    for url in ["/campaigns/new/", "/campaigns/scripts/new/"]:
        assert client.get(url).status_code == 403, url
    client.force_login(make_user("analyst"))
    assert client.get("/campaigns/do-not-call/").status_code == 403


def test_a_campaign_is_created_from_the_form(clock, client, head, operator):
    client.force_login(head)
    form = {"name": "X", "segment": "dormant", "dormant_days": "", "retry_minutes": 60,
            "max_attempts": 3, "calling_from": "09:00", "calling_until": "20:00"}  # fmt: skip
    bad = client.post("/campaigns/new/", form)
    assert bad.status_code == 400
    good = client.post(
        "/campaigns/new/",
        {
            "name": "Спящие",
            "segment": "dormant",
            "dormant_days": 90,
            "operators": [operator.pk],
            "retry_minutes": 60,
            "max_attempts": 3,
            "calling_from": "09:00",
            "calling_until": "20:00",
        },
    )
    assert good.status_code == 302
    assert Campaign.objects.get().segment_params == {"days": 90}


def test_the_hand_out_takes_a_fixed_number_of_queries(running, django_assert_max_num_queries):
    campaign, (op, _other) = running
    services.campaign_next_record(actor=op, campaign=campaign)  # warms the zone cache
    CampaignRecord.objects.filter(assigned_to=op).update(status=RecordStatus.DONE)
    with django_assert_max_num_queries(5):  # 3 queries + the savepoint pair of the test
        assert services.campaign_next_record(actor=op, campaign=campaign) is not None


def test_the_daily_command_reports_what_it_did(clock, head, make_operator):
    from django.core.management import call_command

    op = make_operator()
    dormant_client("+77015550001")
    campaign = make_campaign(head, [op], regenerate_daily=True)
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    clock(NOW + timedelta(days=1))
    out = io.StringIO()
    call_command("campaigns_daily", stdout=out)
    assert f"list: {campaign.name}: +1" in out.getvalue()


def test_the_owner_and_managers_read_progress_through_the_api(running, api_as, head):
    campaign, _ops = running
    answer = api_as(head).get(f"/api/v1/campaigns/{campaign.pk}/progress/")
    assert answer.status_code == 200
    assert answer.json()["total"] == 3 and answer.json()["pending"] == 3


def test_the_preview_screen_shows_the_script_and_the_card(clock, head, make_operator, client):
    op = make_operator()
    known = dormant_client("+77015550001", name="ТОО Спящий")
    script = services.script_save(actor=head, name="Survey", source=SURVEY)
    campaign = make_campaign(head, [op], script=script)
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    client.force_login(op)
    home = client.get("/campaigns/")
    assert f"/campaigns/{campaign.pk}/work/" in home.content.decode()
    client.post(f"/campaigns/{campaign.pk}/work/next/")
    page = client.get(f"/campaigns/{campaign.pk}/work/").content.decode()
    assert known.name in page
    assert "Do you have a minute?" in page and 'data-next="quality"' in page
    assert 'name="answer-why"' in page  # the free-text step, shown when its branch is taken


def test_reassigning_operators_hands_back_the_records_of_those_removed(running, head, client):
    campaign, (first, second) = running
    record = services.campaign_next_record(actor=first, campaign=campaign)
    with pytest.raises(PermissionDenied):
        services.campaign_set_operators(actor=first, campaign=campaign, operators=[first])
    client.force_login(head)
    client.post(f"/campaigns/{campaign.pk}/operators/", {"operators": [second.pk]})
    record.refresh_from_db()
    assert record.status == RecordStatus.PENDING and record.assigned_to is None
    assert list(campaign.operators.all()) == [second]
    with pytest.raises(PermissionDenied):
        services.campaign_next_record(actor=first, campaign=campaign)


def test_the_new_campaign_form_offers_only_people_who_place_calls_and_no_pending_segment(
    client, head, make_user
):
    caller = make_user("operator", extension="771", full_name="Оператор Звонящий")
    make_user("finance", extension="772", full_name="Финансист Незвонящий")
    client.force_login(head)
    page = client.get("/campaigns/new/").content.decode()
    start = page.index('name="operators"')
    operators = page[start : page.index("</select>", start)]
    assert caller.full_name in operators
    assert "Финансист Незвонящий" not in operators  # saving would be refused: not offered
    assert "car_buyers_7d" not in page and "visits_tomorrow" not in page


def test_standard_dispositions_read_in_the_operators_language(running, client):
    """Created in English by the head of sales, read in Russian by an operator who works in it."""
    from django.utils import translation

    campaign, (op, _other) = running
    assert campaign.dispositions.filter(label="Interested").exists()  # stored as created
    client.force_login(op)
    client.cookies["django_language"] = "ru"
    client.post(f"/campaigns/{campaign.pk}/work/next/")
    page = client.get(f"/campaigns/{campaign.pk}/work/").content.decode()
    with translation.override("ru"):
        interested = translation.gettext("Interested")
    assert interested != "Interested" and interested in page
