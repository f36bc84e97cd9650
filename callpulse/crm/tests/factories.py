"""Factories for client data (factory_boy)."""

from __future__ import annotations

import factory

from callpulse.crm.models import Client, ClientType, Contact, Phone


def client_type(code: str) -> ClientType:
    """One of the client types created by the migration (key, marketer, retail, regional, new…)."""
    return ClientType.objects.get(code=code)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"ТОО Клиент {n}")
    client_type = factory.LazyFunction(lambda: client_type("retail"))
    region = "Алматы"
    timezone = "Asia/Almaty"


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    client = factory.SubFactory(ClientFactory)
    number = factory.Sequence(lambda n: f"+7701{n:07d}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    full_name = factory.Sequence(lambda n: f"Контакт {n}")
