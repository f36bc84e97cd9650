"""The order screen: order taking by phone, keyboard-first, inside the operator's desk.

Every htmx request here is answered with out-of-band fragments (the forms post with
hx-swap="none"): the regions that changed (lines, totals, credit verdict, offers, actions) and
the error slots (`#err-<field>`) next to the parts of the screen they speak about. A quantity
being typed is never replaced: a reprice sends back only prices, explanations and totals.

Views stay thin: they parse what was typed, call one service, and render. The rules (credit,
offers, terms, roles) live in `callpulse.orders.services`; a refusal comes back as field errors.
Without JavaScript every form still posts and the full screen is rendered again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from callpulse.catalog.models import Product
from callpulse.core.permissions import staff_user_from
from callpulse.core.selectors import user_absence_at
from callpulse.crm.models import Client
from callpulse.orders import permissions, services
from callpulse.orders.models import Order, OrderLine, OrderStatus, PaymentForm
from callpulse.orders.selectors import (
    Candidate,
    OrderScope,
    credit_verdict,
    fulfilment_steps,
    offer_candidates,
    order_detail,
    orders_list,
    product_sku_example,
)

SEARCH_LIMIT = 8
DOCUMENT_LABELS = {
    "invoice": gettext_lazy("Invoice"),
    "waybill": gettext_lazy("Waybill"),
    "certificates": gettext_lazy("Certificates"),
    "contract": gettext_lazy("Contract"),
}
TERM_FIELDS = ("delivery_date", "receiver", "payment_form", "documents")
REGIONAL_FIELDS = ("carrier", "shipping_address", "arrival_date")
QUANTITY_FIELD = forms.DecimalField(max_digits=12, decimal_places=3)  # as OrderLine.quantity


# --- what the screen shows --------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    """A line as the table shows it: the quantity as typed back, its errors, whether to focus."""

    line: OrderLine
    quantity: str
    errors: list[str]
    focus: bool = False


@dataclass(frozen=True)
class OfferRow:
    candidate: Candidate
    quantity: str


def _quantity_text(quantity: Decimal) -> str:
    """10.000 → '10', 2.500 → '2.5' (with the language's decimal separator)."""
    text = format(quantity, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


def _order(request: HttpRequest, order_id: int) -> Order:
    """The order, if this user may see it: someone else's order is 404, as in the API."""
    try:
        return order_detail(order_id, visible_to=staff_user_from(request))
    except Order.DoesNotExist as exc:
        raise Http404(_("No such order.")) from exc


def _screen(
    request: HttpRequest,
    order_id: int,
    *,
    errors: dict[str, list[str]] | None = None,
    row_errors: dict[int, list[str]] | None = None,
    focus: int | None = None,
    terms: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the screen (or a part of it) shows, read fresh after a write."""
    order = _order(request, order_id)
    user = staff_user_from(request)
    editable = order.status in services.EDITABLE and permissions.may_change(user, order)
    verdict = credit_verdict(order.client, order.total)
    stopped = not verdict.ok and order.status == OrderStatus.DRAFT
    manager = order.client.manager
    offers = list(order.offers.all())
    regional = order.client.client_type.code == "regional"
    values = terms or {
        "delivery_date": order.delivery_date.isoformat() if order.delivery_date else "",
        "receiver": order.receiver,
        "payment_form": order.payment_form,
        "documents": list(order.documents),
        "carrier": order.carrier,
        "shipping_address": order.shipping_address,
        "arrival_date": order.arrival_date.isoformat() if order.arrival_date else "",
    }
    return {
        "order": order,
        "editable": editable,
        "rows": [
            LineRow(
                line=line,
                quantity=_quantity_text(line.quantity),
                errors=(row_errors or {}).get(line.product_id, []),
                focus=line.product_id == focus,
            )
            for line in order.lines.all()
        ],
        "verdict": verdict,
        "left_after": verdict.available - order.total,
        "discount": order.base_total - order.total,
        "candidates": [
            OfferRow(candidate=c, quantity=_quantity_text(c.product.pack_size))
            for c in (offer_candidates(order) if editable else [])
        ],
        "offers": offers,
        "offers_made": len(offers),
        "min_offers": settings.CALLPULSE_MIN_OFFERS,
        "offers_done": len(offers) >= settings.CALLPULSE_MIN_OFFERS,
        "manager": manager,
        "absence": user_absence_at(user=manager, at=timezone.now()) if manager else None,
        "can_override": permissions.may_override_credit(user),
        "can_cancel": order.status in (*services.EDITABLE, *services.OPEN)
        and permissions.may_cancel(user, order),
        # the credit check stopped a draft: the hand-off leads, offers and terms wait
        "stopped": stopped,
        "sku_example": product_sku_example() if editable else "",
        "steps": fulfilment_steps(order) if order.accepted_at else [],
        "can_pick": order.status == OrderStatus.ACCEPTED and permissions.may_pick(user),
        "can_ship": order.status in services.OPEN and permissions.may_ship(user),
        "can_deliver": order.status == OrderStatus.SHIPPED and permissions.may_deliver(user),
        "shipping_shown": regional
        or bool(order.carrier or order.shipping_address or order.arrival_date),
        "open_hand_offs": [h for h in order.hand_offs.all() if h.resolved_at is None],
        "regional": regional,
        "terms": values,
        "payment_forms": PaymentForm.choices,
        "documents": [
            (code, DOCUMENT_LABELS.get(code, code), code in values["documents"])
            for code in services.DOCUMENTS
        ],
        "contacts": list(order.client.contacts.all()) if editable else [],
        "errors": errors or {},
        "is_draft": order.status == OrderStatus.DRAFT,
    }


def _update(
    request: HttpRequest,
    order_id: int,
    *,
    parts: Iterable[str] = (),
    slots: Iterable[str] = (),
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    **screen: Any,
) -> HttpResponse:
    """Answer a screen request: OOB fragments for htmx; the whole screen, or a redirect, without.

    `parts`: regions redrawn (lines, cells, credit, offers, actions, terms_saved);
    `slots`: error slots set (emptied when they have no error now).
    """
    errors = errors or {}
    if not request.htmx:  # type: ignore[attr-defined]
        if status == 200:
            return redirect("orders:screen", order_id=order_id)
        context = _screen(request, order_id, errors=errors, **screen)
        return render(request, "orders/order.html", context, status=status)
    context = _screen(request, order_id, errors=errors, **screen)
    if not context["editable"]:  # accepted or cancelled meanwhile, or not this user's to change
        for field_messages in errors.values():
            for message in field_messages:
                messages.error(request, message)
        return _done(request, order_id)
    present = _slots_on_screen(context)
    context["parts"] = set(parts)
    context["slots"] = [(name, errors.get(name, [])) for name in slots if name in present]
    return render(request, "orders/_update.html", context, status=status)


def _slots_on_screen(context: dict[str, Any]) -> set[str]:
    names = {"search", "lines", "offers", "terms", "credit", "actions", "reason", *TERM_FIELDS}
    if context["regional"]:
        names.update(REGIONAL_FIELDS)
    return names


def _errors(exc: ValidationError, *, known: Iterable[str], fallback: str) -> dict[str, list[str]]:
    """A service's field errors by error slot; fields without a slot here go to `fallback`."""
    raw = exc.message_dict if hasattr(exc, "error_dict") else {fallback: exc.messages}
    slots = set(known)
    found: dict[str, list[str]] = {}
    for field, field_messages in raw.items():
        found.setdefault(field if field in slots else fallback, []).extend(field_messages)
    return found


def _refused(exc: PermissionDenied, slot: str) -> dict[str, list[str]]:
    return {slot: [str(exc) or _("Your role does not allow this.")]}


def _int(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def _quantity(raw: str) -> Decimal:
    """A quantity as typed ('2', '2,5'); a field error when it is not one."""
    if not raw.strip():
        raise ValidationError({"quantity": _("Type the quantity.")})
    value = services.parse_quantity(raw)
    try:
        cleaned: Decimal = QUANTITY_FIELD.clean(str(value))
    except ValidationError as exc:
        raise ValidationError({"quantity": exc.messages}) from exc
    return cleaned


def _posted_lines(
    order: Order, data: QueryDict
) -> tuple[list[services.LineInput], dict[int, list[str]]]:
    """The order's lines with the quantities on screen (`qty-<product id>`), and what is wrong."""
    lines: list[services.LineInput] = []
    problems: dict[int, list[str]] = {}
    for line in order.lines.all():
        quantity = line.quantity
        raw = data.get(f"qty-{line.product_id}")
        if raw is not None:
            try:
                quantity = _quantity(raw)
            except ValidationError as exc:
                problems[line.product_id] = exc.messages
        lines.append(services.LineInput(product=line.product, quantity=quantity))
    return lines, problems


def _products_matching(query: str) -> QuerySet[Product]:
    """Active products whose SKU starts with, or whose name contains, what was typed."""
    text = query.strip()
    if not text:
        return Product.objects.none()
    return (
        Product.objects.filter(is_active=True)
        .filter(Q(sku__istartswith=text) | Q(name__icontains=text))
        .order_by("sku")[:SEARCH_LIMIT]
    )


def _done(request: HttpRequest, order_id: int) -> HttpResponse:
    """After a change of status: the screen again (read-only once accepted)."""
    url = reverse("orders:screen", kwargs={"order_id": order_id})
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- views ------------------------------------------------------------------------------


@login_required
@require_POST
def order_start(request: HttpRequest) -> HttpResponse:
    """Open a draft for a client (from the call on the desk, or on its own) and go to it."""
    client = get_object_or_404(Client, pk=_int(request.POST.get("client")) or 0)
    try:
        order = services.order_start(
            actor=staff_user_from(request), client=client, call_id=_int(request.POST.get("call"))
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("crm:card", client_id=client.pk)
    return redirect("orders:screen", order_id=order.pk)


@login_required
@require_GET
def order_screen(request: HttpRequest, order_id: int) -> HttpResponse:
    """One order: search and lines, the credit verdict, offers, terms, acceptance; or its record."""
    return render(request, "orders/order.html", _screen(request, order_id))


@login_required
@require_GET
def product_search(request: HttpRequest, order_id: int) -> HttpResponse:
    """Live results under the search box (by SKU or name)."""
    query = request.GET.get("q", "")
    order = _order(request, order_id)
    return render(
        request,
        "orders/_product_results.html",
        {
            "query": query.strip(),
            "products": list(_products_matching(query)),
            "in_order": {line.product_id for line in order.lines.all()},
        },
    )


@login_required
@require_POST
def line_add(request: HttpRequest, order_id: int) -> HttpResponse:
    """Add the highlighted product, or the one whose exact SKU was typed, at one pack."""
    order = _order(request, order_id)
    query = request.POST.get("q", "").strip()
    picked = _int(request.POST.get("product"))
    product = (
        Product.objects.filter(pk=picked).first()
        if picked
        else Product.objects.filter(sku__iexact=query).first()
    )
    if product is None and query:
        found = list(_products_matching(query)[:2])
        product = found[0] if len(found) == 1 else None
        if product is None:
            message = (
                _("Several products match “%(query)s”: pick one with ↓ and Enter.")
                if found
                else _("No product with SKU or name “%(query)s”.")
            )
            return _update(
                request,
                order_id,
                slots=["search"],
                errors={"search": [message % {"query": query}]},
                status=400,
            )
    if product is None:
        return _update(
            request,
            order_id,
            slots=["search"],
            errors={"search": [_("Type a SKU or a name.")]},
            status=400,
        )
    lines, _problems = _posted_lines(order, request.POST)
    if any(line.product.pk == product.pk for line in lines):
        note = _("%(sku)s is already in the order: change its quantity.") % {"sku": product.sku}
        return _update(
            request,
            order_id,
            parts=["lines"],
            slots=["search"],
            errors={"search": [note]},
            focus=product.pk,
        )
    lines.append(services.LineInput(product=product, quantity=product.pack_size))
    try:
        services.order_set_lines(actor=staff_user_from(request), order=order, lines=lines)
    except ValidationError as exc:
        return _update(
            request,
            order_id,
            slots=["search"],
            errors=_errors(exc, known=[], fallback="search"),
            status=400,
        )
    except PermissionDenied as exc:
        return _update(
            request, order_id, slots=["search"], errors=_refused(exc, "search"), status=400
        )
    return _update(
        request,
        order_id,
        parts=["lines", "credit", "offers", "actions"],
        slots=["search"],
        focus=product.pk,
    )


@login_required
@require_POST
def lines_set(request: HttpRequest, order_id: int) -> HttpResponse:
    """Re-price the order as quantities are typed: prices, explanations, totals, verdict."""
    order = _order(request, order_id)
    lines, problems = _posted_lines(order, request.POST)
    if problems:
        return _update(
            request, order_id, parts=["cells"], slots=["lines"], row_errors=problems, status=400
        )
    try:
        services.order_set_lines(actor=staff_user_from(request), order=order, lines=lines)
    except ValidationError as exc:
        errors = _errors(exc, known=["lines"], fallback="lines")
        return _update(
            request, order_id, parts=["cells"], slots=["lines"], errors=errors, status=400
        )
    except PermissionDenied as exc:
        return _update(
            request, order_id, slots=["lines"], errors=_refused(exc, "lines"), status=400
        )
    return _update(
        request, order_id, parts=["cells", "credit", "offers", "actions"], slots=["lines"]
    )


@login_required
@require_POST
def line_remove(request: HttpRequest, order_id: int, product_id: int) -> HttpResponse:
    """Take a product out of the order (the other quantities on screen are kept)."""
    order = _order(request, order_id)
    lines, _problems = _posted_lines(order, request.POST)
    lines = [line for line in lines if line.product.pk != product_id]
    try:
        services.order_set_lines(actor=staff_user_from(request), order=order, lines=lines)
    except ValidationError as exc:
        errors = _errors(exc, known=["lines"], fallback="lines")
        return _update(request, order_id, slots=["lines"], errors=errors, status=400)
    except PermissionDenied as exc:
        return _update(
            request, order_id, slots=["lines"], errors=_refused(exc, "lines"), status=400
        )
    return _update(request, order_id, parts=["lines", "credit", "offers", "actions"])


@login_required
@require_POST
def offer_record(request: HttpRequest, order_id: int) -> HttpResponse:
    """The client's answer to an offer; an accepted one joins the order with its quantity."""
    order = _order(request, order_id)
    product = Product.objects.filter(pk=_int(request.POST.get("product")) or 0).first()
    accepted = request.POST.get("result") == "accepted"
    try:
        if product is None:
            raise ValidationError({"product": _("Choose a product to offer.")})
        raw = request.POST.get("quantity", "")
        services.order_offer_record(
            actor=staff_user_from(request),
            order=order,
            product=product,
            source=request.POST.get("source", ""),
            accepted=accepted,
            quantity=_quantity(raw) if accepted and raw.strip() else None,
        )
    except ValidationError as exc:
        errors = _errors(exc, known=["offers"], fallback="offers")
        return _update(request, order_id, slots=["offers"], errors=errors, status=400)
    except PermissionDenied as exc:
        return _update(
            request, order_id, slots=["offers"], errors=_refused(exc, "offers"), status=400
        )
    return _update(request, order_id, parts=["lines", "credit", "offers", "actions"])


class TermsForm(forms.Form):
    """Parses the terms as typed; what they must be is the service's business."""

    delivery_date = forms.DateField(required=False)
    receiver = forms.CharField(required=False, max_length=200)
    payment_form = forms.ChoiceField(required=False, choices=[("", "—"), *PaymentForm.choices])
    documents = forms.MultipleChoiceField(
        required=False, choices=[(code, code) for code in services.DOCUMENTS]
    )
    carrier = forms.CharField(required=False, max_length=120)
    shipping_address = forms.CharField(required=False, max_length=255)
    arrival_date = forms.DateField(required=False)


@login_required
@require_POST
def terms_save(request: HttpRequest, order_id: int) -> HttpResponse:
    """Save the delivery and payment terms (on every change); wrong values by field."""
    order = _order(request, order_id)
    form = TermsForm(request.POST)
    slots = [*TERM_FIELDS, *REGIONAL_FIELDS, "terms"]
    posted = {
        name: request.POST.getlist(name) if name == "documents" else request.POST.get(name, "")
        for name in slots[:-1]
    }
    if not form.is_valid():
        problems = {name: [str(m) for m in found] for name, found in form.errors.items()}
        return _update(request, order_id, slots=slots, errors=problems, status=400, terms=posted)
    terms = {
        name: value
        for name, value in form.cleaned_data.items()
        if name in request.POST or name in TERM_FIELDS
    }
    try:
        services.order_set_terms(actor=staff_user_from(request), order=order, **terms)
    except ValidationError as exc:
        errors = _errors(exc, known=slots, fallback="terms")
        return _update(request, order_id, slots=slots, errors=errors, status=400, terms=posted)
    except PermissionDenied as exc:
        return _update(
            request,
            order_id,
            slots=slots,
            errors=_refused(exc, "terms"),
            status=400,
            terms=posted,
        )
    return _update(request, order_id, parts=["terms_saved"], slots=slots)


ACCEPT_SLOTS = ("lines", "offers", "credit", *TERM_FIELDS, *REGIONAL_FIELDS, "terms", "actions")


@login_required
@require_POST
def order_accept(request: HttpRequest, order_id: int) -> HttpResponse:
    """Accept; each refusal is shown next to its part of the screen, the credit one in red."""
    order = _order(request, order_id)
    try:
        services.order_accept(
            actor=staff_user_from(request),
            order=order,
            override_reason=request.POST.get("override_reason", ""),
        )
    except ValidationError as exc:
        errors = _errors(exc, known=ACCEPT_SLOTS, fallback="actions")
        return _update(request, order_id, slots=ACCEPT_SLOTS, errors=errors, status=400)
    except PermissionDenied as exc:
        return _update(
            request, order_id, slots=ACCEPT_SLOTS, errors=_refused(exc, "actions"), status=400
        )
    return _done(request, order_id)


@login_required
@require_POST
def order_hand_off(request: HttpRequest, order_id: int) -> HttpResponse:
    """One click: the draft goes to the client's manager or to finance, with the reason."""
    order = _order(request, order_id)
    try:
        services.order_hand_off(
            actor=staff_user_from(request), order=order, to=request.POST.get("to", "")
        )
    except ValidationError as exc:
        errors = _errors(exc, known=[], fallback="actions")
        return _update(request, order_id, slots=["actions"], errors=errors, status=400)
    except PermissionDenied as exc:
        return _update(
            request, order_id, slots=["actions"], errors=_refused(exc, "actions"), status=400
        )
    return _done(request, order_id)


@login_required
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    """Cancel the order, saying why."""
    order = _order(request, order_id)
    try:
        services.order_cancel(
            actor=staff_user_from(request), order=order, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        errors = _errors(exc, known=["reason"], fallback="actions")
        return _update(request, order_id, slots=["reason", "actions"], errors=errors, status=400)
    except PermissionDenied as exc:
        return _update(
            request,
            order_id,
            slots=["reason", "actions"],
            errors=_refused(exc, "actions"),
            status=400,
        )
    return _done(request, order_id)


# --- after acceptance: picked → shipped → delivered -------------------------------------------


def _step(request: HttpRequest, order_id: int, run: Any, done: str) -> HttpResponse:
    """Run one fulfilment step; refusals come back on the order's record, next to its buttons."""
    order = _order(request, order_id)
    note = request.POST.get("note", "")
    try:
        run(actor=staff_user_from(request), order=order, note=note)
    except ValidationError as exc:
        errors = _errors(exc, known=["note", "carrier"], fallback="actions")
        return _update(request, order_id, errors=errors, status=400)
    except PermissionDenied as exc:
        return _update(request, order_id, errors=_refused(exc, "actions"), status=400)
    messages.success(request, done)
    return _done(request, order_id)


@login_required
@require_POST
def order_pick(request: HttpRequest, order_id: int) -> HttpResponse:
    """The warehouse has picked the goods."""
    return _step(request, order_id, services.order_pick, _("Marked as picked."))


@login_required
@require_POST
def order_ship(request: HttpRequest, order_id: int) -> HttpResponse:
    """Shipped, with the carrier (if it changed) and the waybill in the note."""
    carrier = request.POST.get("carrier", "")

    def ship(*, actor: Any, order: Order, note: str) -> Order:
        return services.order_ship(actor=actor, order=order, carrier=carrier, note=note)

    return _step(request, order_id, ship, _("Marked as shipped: the invoice is raised."))


@login_required
@require_POST
def order_deliver(request: HttpRequest, order_id: int) -> HttpResponse:
    """The client has the goods."""
    return _step(request, order_id, services.order_deliver, _("Marked as delivered."))


# --- the list -----------------------------------------------------------------------------

ORDERS_PER_PAGE = 25


class OrderFilterForm(forms.Form):
    """The list's tab, filters and search, as the query string carries them."""

    scope = forms.ChoiceField(required=False, choices=OrderScope.choices)
    status = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("Any status")), *OrderStatus.choices],
        label=gettext_lazy("Status"),
    )
    since = forms.DateField(required=False, label=gettext_lazy("From"))
    until = forms.DateField(required=False, label=gettext_lazy("To"))
    client = forms.IntegerField(required=False, min_value=1)
    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Number or client"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    """Orders: mine, my department's, handed to me, waiting for finance; filters and search."""
    user = staff_user_from(request)
    form = OrderFilterForm(request.GET)
    if not form.is_valid():
        scope = request.GET.get("scope") or OrderScope.ALL
        return render(request, "orders/list.html", _list_context(form, scope), status=400)
    data = form.cleaned_data
    scope = data["scope"] or OrderScope.ALL
    orders = orders_list(
        user=user,
        scope=scope,
        status=data["status"],
        since=data["since"],
        until=data["until"],
        client_id=data["client"],
        query=data["q"],
    )
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    client = Client.objects.filter(pk=data["client"]).first() if data["client"] else None
    return render(request, "orders/list.html", _list_context(form, scope, page, client))


def _list_context(
    form: OrderFilterForm, scope: str, page: Any = None, client: Client | None = None
) -> dict[str, Any]:
    """The list page: its tabs and statuses; `page` None when the filters were refused."""
    return {
        "form": form,
        "scope": scope,
        "page": page,
        "client": client,
        "scopes": OrderScope.choices,
        "statuses": OrderStatus.choices,
    }
