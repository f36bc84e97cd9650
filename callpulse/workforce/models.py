"""Workforce: models."""
