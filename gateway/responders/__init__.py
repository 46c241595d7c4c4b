"""Responders answer real-time requests (270 -> 271, 276 -> 277, 278 -> 278 response).

Which one answers is decided in one place, :func:`gateway.responders.answer.answer_x12`:
a request addressed (ISA receiver) to a trading partner named in ``Settings.upstreams``
is forwarded there (:mod:`gateway.responders.upstream`); any other goes to the built-in
payer responder, which answers from the store: the most recent 271 stored for the
member (loaded as a payer's eligibility file or received from a payer) is re-issued for
the new inquiry, trimmed to that member, with the new trace echoed; a member the store
does not know gets AAA 75 (subscriber not found).
"""
