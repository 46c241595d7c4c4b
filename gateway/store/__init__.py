"""The PostgreSQL store: models, sessions, the embedded server and the repositories."""
