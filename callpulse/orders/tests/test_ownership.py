"""Whose order is it? One rule (`orders.permissions`) for the screens and the API, both ways.

The outside probe found that the HTML screens did not check at all: operator2 could edit and
cancel operator1's draft and cancel operator1's accepted order (giving its amount back to the
client's credit), and QA and the trainer could open any order.
"""

from decimal import Decimal

import pytest

from callpulse.catalog.tests.factories import make_catalog
from callpulse.crm.models import Client
from callpulse.crm.tests.factories import ClientFactory, client_type
from callpulse.orders import services
from callpulse.orders.models import HandOff, Order, OrderStatus
from callpulse.orders.tests.test_orders import lines, ready_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def products():
    return make_catalog()


@pytest.fixture
def people(make_user):
    return {
        "taker": make_user("operator", full_name="Оператор Один"),
        "colleague": make_user("operator", full_name="Оператор Два"),
        "manager": make_user("account_manager", full_name="Менеджер Клиента"),
        "other_manager": make_user("account_manager", full_name="Чужой Менеджер"),
        "supervisor": make_user("supervisor"),
        "finance": make_user("finance"),
        "qa": make_user("qa_specialist"),
        "trainer": make_user("trainer"),
        "planner": make_user("workforce_planner"),
        "analyst": make_user("analyst"),
    }


@pytest.fixture
def client_of_manager(people):
    return ClientFactory(
        client_type=client_type("key"), manager=people["manager"], credit_limit=D("1000000")
    )


@pytest.fixture
def draft(people, client_of_manager, products):
    order = services.order_start(actor=people["taker"], client=client_of_manager)
    services.order_set_lines(actor=people["taker"], order=order, lines=lines(products, (0, "2")))
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def accepted(people, client_of_manager, products):
    order = ready_order(people["taker"], client_of_manager, products)
    return services.order_accept(actor=people["taker"], order=order)


def exposure(client: Client) -> Decimal:
    client.refresh_from_db()
    return client.open_orders_total


# --- seeing ---------------------------------------------------------------------------------

SEES = {
    "taker": True,
    "colleague": False,
    "manager": True,
    "other_manager": False,
    "supervisor": True,
    "finance": True,
    "qa": False,
    "trainer": False,
    "planner": False,
    "analyst": True,
}


@pytest.mark.parametrize(("who", "sees"), sorted(SEES.items()))
def test_who_opens_an_order_on_the_screen_and_in_the_api(who, sees, people, draft, client, api_as):
    client.force_login(people[who])
    screen = client.get(f"/orders/{draft.pk}/")
    assert screen.status_code == (200 if sees else 404)
    api = api_as(people[who]).get(f"/api/v1/orders/{draft.pk}/")
    assert api.status_code == (200 if sees else 404)
    listed = api_as(people[who]).get("/api/v1/orders/").json()["results"]
    assert [o["id"] for o in listed] == ([draft.pk] if sees else [])


def test_the_assignee_of_a_hand_off_sees_the_order(people, draft, client, make_user):
    finance_clerk = people["finance"]
    HandOff.objects.create(order=draft, to="finance", assignee=finance_clerk, reason="limit")
    stranger_manager = people["other_manager"]
    HandOff.objects.create(order=draft, to="manager", assignee=stranger_manager, reason="limit")
    client.force_login(stranger_manager)
    assert client.get(f"/orders/{draft.pk}/").status_code == 200


# --- changing a draft ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may"),
    [("taker", True), ("manager", True), ("supervisor", True), ("colleague", False)],
)
def test_who_changes_a_draft_on_the_screen(who, may, people, draft, client, products):
    client.force_login(people[who])
    response = client.post(
        f"/orders/{draft.pk}/lines/", {f"qty-{products[0].pk}": "5"}, HTTP_HX_REQUEST="true"
    )
    quantity = draft.lines.get().quantity
    if may:
        assert response.status_code == 200 and quantity == D("5")
    else:
        assert response.status_code == 404 and quantity == D("2")


def test_a_colleague_who_sees_all_orders_still_cannot_change_them_without_the_role(
    people, draft, client, api_as, products
):
    """Analysts and QA read; they change nothing, on either channel."""
    client.force_login(people["analyst"])
    page = client.get(f"/orders/{draft.pk}/")
    assert page.status_code == 200 and 'id="product-q"' not in page.content.decode()
    refused = client.post(f"/orders/{draft.pk}/cancel/", {"reason": "просто так"})
    assert refused.status_code == 400
    refused_api = api_as(people["analyst"]).post(
        f"/api/v1/orders/{draft.pk}/cancel/", {"reason": "просто так"}, format="json"
    )
    assert refused_api.status_code == 403
    draft.refresh_from_db()
    assert draft.status == OrderStatus.DRAFT


def test_a_colleague_cannot_cancel_a_draft_on_either_channel(people, draft, client, api_as):
    client.force_login(people["colleague"])
    assert client.post(f"/orders/{draft.pk}/cancel/", {"reason": "чужой"}).status_code == 404
    api = api_as(people["colleague"])
    assert (
        api.post(f"/api/v1/orders/{draft.pk}/cancel/", {"reason": "x"}, format="json").status_code
        == 404
    )
    draft.refresh_from_db()
    assert draft.status == OrderStatus.DRAFT


# --- cancelling an accepted order gives credit back: only its own people and heads ----------


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("colleague", False),
        ("other_manager", False),
        ("analyst", False),
        ("qa", False),
        ("taker", True),
        ("manager", True),
        ("supervisor", True),
        ("finance", True),
    ],
)
def test_who_cancels_an_accepted_order(who, may, people, accepted, client):
    held = exposure(accepted.client)
    assert held == accepted.total
    client.force_login(people[who])
    response = client.post(f"/orders/{accepted.pk}/cancel/", {"reason": "клиент передумал"})
    accepted.refresh_from_db()
    if may:
        assert response.status_code == 302
        assert accepted.status == OrderStatus.CANCELLED
        assert exposure(accepted.client) == 0
    else:
        assert response.status_code in (400, 404)
        assert accepted.status == OrderStatus.ACCEPTED
        assert exposure(accepted.client) == held


def test_the_accepted_order_shows_a_cancel_form_only_to_those_who_may(people, accepted, client):
    client.force_login(people["taker"])
    assert (
        f'action="/orders/{accepted.pk}/cancel/"'
        in client.get(f"/orders/{accepted.pk}/").content.decode()
    )
    client.force_login(people["analyst"])
    assert (
        f'action="/orders/{accepted.pk}/cancel/"'
        not in client.get(f"/orders/{accepted.pk}/").content.decode()
    )


def test_the_api_refuses_a_colleague_the_same_way(people, accepted, api_as):
    api = api_as(people["other_manager"])
    response = api.post(f"/api/v1/orders/{accepted.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    accepted.refresh_from_db()
    assert accepted.status == OrderStatus.ACCEPTED
