"""Sales plans: admin."""
