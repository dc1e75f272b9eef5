"""What the printing feature tells the features above it (they connect in their `receivers` modules).

`print_job_failed` is sent when a print job has failed for good: its tries are used up, or the
process printing it died and nobody can tell whether the card came out (sender: the PrintJob, with
its `error`). Webhooks send `print_job.failed`.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

print_job_failed = _signals.signal("print-job-failed")
