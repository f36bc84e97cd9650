"""Factories for staff data (factory_boy)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from callpulse.core.models import Absence, AbsenceKind, Department, Role, Team, User


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Сотрудник {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kz")
    password = factory.django.Password("secret-pass-1")

    @factory.post_generation
    def roles(self, create: bool, extracted: Iterable[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.roles.set(Role.objects.filter(code__in=list(extracted)))
            self.__dict__.pop("role_codes", None)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    supervisor = factory.SubFactory(UserFactory, roles=["supervisor"])


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    user = factory.SubFactory(UserFactory)
    kind = AbsenceKind.VACATION
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(days=7))
