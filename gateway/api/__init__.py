"""HTTP API: routers, dependencies, problem details."""
