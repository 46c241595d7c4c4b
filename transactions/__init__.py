"""Per-transaction knowledge on top of the X12 engine: business rules (SNIP 3-5),
acknowledgments (TA1, 999, 277CA) and, per transaction type, the mapping between
X12 loops and normalized records. Pure: no files, sockets, sessions or logs."""
