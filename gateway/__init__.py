"""The gateway: everything with I/O (CLI, HTTP app, settings, database, jobs)."""
