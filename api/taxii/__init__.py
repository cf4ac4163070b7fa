"""The read-only TAXII 2.1 server (endpoints.py) and its error answers (responses.py)."""

from api.taxii.endpoints import routes
from api.taxii.responses import auth_error

__all__ = ["auth_error", "routes"]
