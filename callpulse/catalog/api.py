"""Catalog API: products, price columns, price lists and their prices."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from callpulse.catalog.models import Price, PriceColumn, PriceList, Product
from callpulse.catalog.serializers import (
    PriceColumnSerializer,
    PriceListSerializer,
    PriceSerializer,
    ProductSerializer,
)
from callpulse.core.api_writes import AtomicWritesMixin
from callpulse.core.permissions import role_permission
from callpulse.core.roles import CATALOG_EDITORS


@extend_schema(parameters=[OpenApiParameter("search", str, description="SKU or name.")])
class ProductViewSet(AtomicWritesMixin, viewsets.ModelViewSet[Product]):
    """Products: everyone reads; the head of sales edits."""

    serializer_class = ProductSerializer
    permission_classes = [role_permission(write=CATALOG_EDITORS)]

    def get_queryset(self) -> QuerySet[Product]:
        products = Product.objects.select_related("category").order_by("sku")
        if search := self.request.query_params.get("search", "").strip():
            products = products.filter(Q(sku__istartswith=search) | Q(name__icontains=search))
        return products


class PriceColumnViewSet(AtomicWritesMixin, viewsets.ModelViewSet[PriceColumn]):
    """Price columns (retail, wholesale, key, regional…) and which client types get them."""

    queryset = PriceColumn.objects.prefetch_related("client_types")
    serializer_class = PriceColumnSerializer
    permission_classes = [role_permission(write=CATALOG_EDITORS)]


class PriceListViewSet(viewsets.ReadOnlyModelViewSet[PriceList]):
    """Price lists; `prices/` lists one list's prices."""

    queryset = PriceList.objects.all()
    serializer_class = PriceListSerializer

    @extend_schema(responses=PriceSerializer(many=True))
    @action(detail=True)
    def prices(self, request: Request, pk: str | None = None) -> Response:
        price_list = self.get_object()
        prices = Price.objects.filter(price_list=price_list).select_related("product", "column")
        return Response(
            PriceSerializer(prices.order_by("product__sku", "column__sort_order"), many=True).data
        )
