"""Imports every feature's models so SQLAlchemy and Alembic see the whole schema."""

from lms.accounts.models import SignIn, SignInToken, User
from lms.accounts.villages import Village
from lms.attendance.models import Attendance, AttendanceSession
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate, CertificatePdf
from lms.cohorts.models import Cohort, CohortInvitation, CohortMember, TraineeImport
from lms.content.models import Course, CourseItem, CourseMedia, Track
from lms.content.versions import CourseVersion
from lms.learning.models import Enrolment, ItemProgress
from lms.quizzes.models import QuizAttempt
from lms.rate_limits import rate_limit_counter
from lms.studio.models import CourseAuthor, CourseDraft
from lms.tasks.models import TaskPhoto, TaskSubmission

__all__ = [
    "Attendance", "AttendanceSession",
    "AuditEvent", "Certificate", "CertificatePdf", "Cohort", "CohortInvitation", "CohortMember", "Course",
    "CourseItem", "CourseMedia", "Enrolment",
    "ItemProgress", "QuizAttempt", "SignIn", "SignInToken", "Track", "TraineeImport", "User",
    "CourseAuthor", "CourseDraft", "CourseVersion", "TaskPhoto", "TaskSubmission", "Village", "rate_limit_counter",
]
