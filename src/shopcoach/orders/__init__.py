"""Orders, inventory and carrier tracking: the order tools and exception triage (R-AGT-5)."""
