"""Imports every feature's models so SQLAlchemy and Alembic see the whole schema."""

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.cohorts.models import Cohort, CohortMember
from lms.content.models import Course, CourseItem, CourseMedia, Track
from lms.learning.models import Enrolment, ItemProgress
from lms.quizzes.models import QuizAttempt

__all__ = [
    "AuditEvent", "Cohort", "CohortMember", "Course", "CourseItem", "CourseMedia", "Enrolment",
    "ItemProgress", "QuizAttempt", "Track", "User",
]
