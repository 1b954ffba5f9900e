"""Attendance at workshop sessions: planned sessions, check-in at the venue with a rotating code,
the instructor's roll call, and the records the county files."""
