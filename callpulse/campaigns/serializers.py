"""Campaigns API shapes: the public callback request, campaigns, records, do-not-call."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from callpulse.campaigns.models import Campaign, CampaignAttempt, CampaignRecord, Disposition
from callpulse.crm.models import DoNotCall


class CallbackRequestSerializer(serializers.Serializer[Any]):
    """What the website form posts. Times are the visitor's local time; `timezone` their zone."""

    name = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    window_from = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    window_to = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    timezone = serializers.CharField(max_length=64, allow_blank=True, required=False, default="")
    topic = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    website = serializers.CharField(
        max_length=255,
        allow_blank=True,
        required=False,
        default="",
        help_text="Honeypot: people leave it empty (the form hides it).",
    )


class CallbackRequestAnswerSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    message = serializers.CharField()


class DispositionSerializer(serializers.ModelSerializer[Disposition]):
    class Meta:
        model = Disposition
        fields = ["id", "code", "label", "reached", "retry", "do_not_call"]


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    dispositions = DispositionSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "status",
            "owner",
            "owner_name",
            "goal",
            "instruction",
            "script",
            "segment",
            "segment_params",
            "retry_minutes",
            "max_attempts",
            "calling_from",
            "calling_until",
            "dispositions",
        ]


class CampaignRecordSerializer(serializers.ModelSerializer[CampaignRecord]):
    class Meta:
        model = CampaignRecord
        fields = [
            "id",
            "campaign",
            "client",
            "phone",
            "name",
            "timezone",
            "data",
            "status",
            "attempts",
            "next_attempt_at",
            "disposition",
        ]


class AttemptSerializer(serializers.ModelSerializer[CampaignAttempt]):
    class Meta:
        model = CampaignAttempt
        fields = ["id", "record", "command", "started_at", "disposition", "logged_at", "order"]


class DispositionInputSerializer(serializers.Serializer[Any]):
    disposition = serializers.CharField(help_text="The disposition's code.")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text='Script answers by step key: {"greet": "Yes"}.',
    )


class ProgressSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    excluded = serializers.IntegerField()
    reached = serializers.IntegerField()
    attempts = serializers.IntegerField()
    orders = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    dispositions = serializers.ListField(child=serializers.ListField())
    by_operator = serializers.ListField(child=serializers.DictField())


class DoNotCallSerializer(serializers.ModelSerializer[DoNotCall]):
    number = serializers.CharField(max_length=40)

    class Meta:
        model = DoNotCall
        fields = ["id", "number", "client", "reason", "created_at"]
        read_only_fields = ["client", "created_at"]
