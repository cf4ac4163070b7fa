"""OAuth grants stored for the authorization server: codes, refresh tokens, revoked jtis."""
