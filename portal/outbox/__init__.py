"""The email outbox: emails are rows written in the caller's transaction, sent later by a job.

Sending claims a batch (state pending -> sending) in its own short transaction, sends over one
SMTP connection, and records each result. A claim left behind by a crash is released after
`STALE_CLAIM` so the message goes out again: at most one duplicate, never a loss.
"""
