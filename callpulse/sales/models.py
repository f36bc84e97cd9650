"""Sales plans: models."""
