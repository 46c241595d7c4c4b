"""JSON API conversions: pydantic models (schemas) to and from normalized records, one module per family."""
