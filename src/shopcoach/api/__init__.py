"""The HTTP API (FastAPI). Build it with :func:`shopcoach.api.app.create_app`."""
