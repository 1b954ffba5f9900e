"""Signals other features listen to (certificates issue on `course_completed`)."""

from blinker import Namespace

_signals = Namespace()

# Sent exactly once per enrolment, inside the transaction that records the completion.
course_completed = _signals.signal("course-completed")
