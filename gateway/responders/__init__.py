"""Responders answer real-time requests (270 -> 271 first; 276 and 278 next).

The built-in payer responder answers from the store: the most recent 271 stored
for the member (loaded as a payer's eligibility file or received from a payer)
is re-issued for the new inquiry, trimmed to that member, with the new trace
echoed; a member the store does not know gets AAA 75 (subscriber not found).
"""
