"""The HTTP adapter: FastAPI app, JSON API under /v1, error mapping and authentication."""
