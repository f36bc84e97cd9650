"""Workforce: admin."""
