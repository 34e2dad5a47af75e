"""The store: schema, migrations and the engine factory (``open_store``)."""
