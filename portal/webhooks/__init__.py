"""Outgoing webhooks: a company's endpoints, the events they want, and their deliveries.

An event is a delivery row per endpoint written in the transaction of the change (like the email
outbox): a change that rolls back sends nothing. The `webhooks` job claims due deliveries (each
endpoint's oldest first, the endpoints taking turns), posts them signed per the Standard Webhooks
specification from a small thread pool (one request at a time per endpoint, so a slow endpoint holds
up only itself), retries with back-off and disables an endpoint that has failed for days.
"""
