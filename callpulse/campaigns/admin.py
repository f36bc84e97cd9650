"""Campaigns: admin."""
