"""Acknowledgments the gateway sends back: TA1 (interchange), 999 (per functional group)
and 277CA (per 837, claim by claim).

:class:`AckCollector` consumes the reader's events as they stream by and keeps only
what the acknowledgments need, so a batch of any size is acknowledged in bounded
memory. Partial acceptance falls out of the findings: a transaction set with
errors outside claims is rejected (IK5 R) while its siblings are accepted; inside
an 837, a claim with errors is rejected in the 277CA while the other claims go on.
"""

from transactions.acks.collector import AckCollector, Acknowledgments, acknowledge

__all__ = ["AckCollector", "Acknowledgments", "acknowledge"]
