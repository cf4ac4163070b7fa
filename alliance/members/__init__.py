"""Members: models and service."""
