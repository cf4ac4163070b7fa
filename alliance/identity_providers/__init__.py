"""Identity providers members register for their people's logins."""
