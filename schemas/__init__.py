"""Pydantic API models (request and response bodies), separate from ORM rows.

The HTTP service and its models arrive with issue #4; the package exists so the
layer contract (parsers <- transactions <- schemas <- gateway) holds from day one.
"""
