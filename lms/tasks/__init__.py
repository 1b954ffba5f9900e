"""Practical tasks: trainees send photos, text or a link; a reviewer scores them against the task's rubric."""
