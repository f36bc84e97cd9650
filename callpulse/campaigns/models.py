"""Campaigns: models."""
