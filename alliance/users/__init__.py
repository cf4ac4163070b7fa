"""Users: models and service."""
