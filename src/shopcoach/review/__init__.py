"""The weekly coaching review (R-REV-*, R-AGT-3): what the coach opens every Monday.

Modules: ``fixlist`` (the AI fix list, R-REV-2), ``dials`` (threshold recommendations and
what-if curves, R-AGT-3), ``gaps*`` (knowledge-gap mining). Each is imported directly; this
package imports nothing so that one module's dependencies never load with another's.
"""
