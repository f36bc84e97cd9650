"""The catalog: products, each client type's traditional products, price lists, discounts."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from callpulse.core.validators import validate_multiline, validate_single_line


class Category(models.Model):
    """A product group (SKU group): plans and discounts may target it."""

    name = models.CharField(
        _("name"), max_length=120, unique=True, validators=[validate_single_line]
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    PIECE = "pcs", _("pcs")
    KILOGRAM = "kg", _("kg")
    LITRE = "l", _("l")
    BOX = "box", _("box")
    PACK = "pack", _("pack")


class Product(models.Model):
    """Something the center sells; new and promoted items are offered on every order."""

    sku = models.CharField(_("SKU"), max_length=40, unique=True, validators=[validate_single_line])
    name = models.CharField(
        _("name"), max_length=200, db_index=True, validators=[validate_single_line]
    )
    unit = models.CharField(_("unit"), max_length=6, choices=Unit.choices, default=Unit.PIECE)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    pack_size = models.DecimalField(
        _("pack size"), max_digits=10, decimal_places=3, default=Decimal(1)
    )
    new_since = models.DateField(_("new since"), null=True, blank=True)
    promoted_from = models.DateField(_("promoted from"), null=True, blank=True)
    promoted_to = models.DateField(_("promoted to"), null=True, blank=True)
    promotion_note = models.CharField(
        _("management's note"), max_length=255, blank=True, validators=[validate_multiline]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="product_pack_size_gt_0"),
            models.CheckConstraint(
                condition=Q(promoted_to__isnull=True)
                | Q(promoted_from__isnull=True)
                | Q(promoted_to__gte=F("promoted_from")),
                name="product_promotion_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductDocument(models.Model):
    """A certificate or another document an operator may send the client."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500)

    class Meta:
        verbose_name = _("product document")
        verbose_name_plural = _("product documents")

    def __str__(self) -> str:
        return self.title


class TraditionalProduct(models.Model):
    """A product clients of a type traditionally buy: offered when missing from their order."""

    client_type = models.ForeignKey(
        "crm.ClientType", on_delete=models.CASCADE, related_name="traditional_products"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("traditional product")
        verbose_name_plural = _("traditional products")
        constraints = [
            models.UniqueConstraint(fields=["client_type", "product"], name="one_traditional_row")
        ]

    def __str__(self) -> str:
        return f"{self.client_type}: {self.product}"


class PriceColumn(models.Model):
    """A column of the price list (retail, wholesale, key, regional…): editable."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    client_types = models.ManyToManyField(
        "crm.ClientType",
        verbose_name=_("client types"),
        blank=True,
        related_name="price_columns",
        help_text=_("Clients of these types get this column by default."),
    )
    min_order_total = models.DecimalField(
        _("from order total"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Any client whose order reaches this total gets this column (volume rule)."),
    )

    class Meta:
        verbose_name = _("price column")
        verbose_name_plural = _("price columns")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class PriceList(models.Model):
    """Prices valid from a date, in one currency."""

    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    currency = models.CharField(_("currency"), max_length=3, default="KZT")
    valid_from = models.DateField(_("valid from"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.name


class Price(models.Model):
    """The price of a product in one column of a price list."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    column = models.ForeignKey(PriceColumn, on_delete=models.PROTECT, related_name="prices")
    amount = models.DecimalField(_("price"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "column"], name="one_price_per_cell"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="price_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} {self.column.code} {self.amount}"


class ClientPriceAgreement(models.Model):
    """An individual agreement: this client buys at this column (it wins over type and volume)."""

    client = models.ForeignKey(
        "crm.Client", on_delete=models.CASCADE, related_name="price_agreements"
    )
    column = models.ForeignKey(PriceColumn, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("price agreement")
        verbose_name_plural = _("price agreements")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.client} → {self.column}"


class DiscountKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    LINE_VOLUME = "line_volume", _("Quantity threshold")
    ORDER_VOLUME = "order_volume", _("Order total threshold")


class DiscountRule(models.Model):
    """A discount applied after the column price, in the stated `position` order.

    Promotions apply to products or categories within dates; volume rules when a line's quantity
    or the order's total reaches a threshold. Each applied rule multiplies the price by
    (1 − percent/100) and leaves a line in the price explanation.
    """

    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=14, choices=DiscountKind.choices)
    percent = models.DecimalField(_("discount, %"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("order of application"), default=100)
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    client_types = models.ManyToManyField("crm.ClientType", blank=True, related_name="+")
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Quantity for a line rule; money for an order rule."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lt=100), name="discount_percent_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} −{self.percent}%"


class NonWorkingDay(models.Model):
    """A day the warehouse does not ship (holidays, stock-taking); weekends are a setting."""

    day = models.DateField(_("day"), unique=True)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("warehouse non-working day")
        verbose_name_plural = _("warehouse non-working days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}"
