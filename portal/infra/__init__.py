"""Shared infrastructure: configuration, database, storage, images, tokens, the email outbox, jobs and the web plumbing every feature uses. It imports no feature."""
