"""The reference support agent: escalation dials and handoff, grounded answers (R-AGT-*)."""
