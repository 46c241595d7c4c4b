"""The ops console: server-rendered pages at ``/console`` (see ``router``)."""

from gateway.console.router import router

__all__ = ["router"]
