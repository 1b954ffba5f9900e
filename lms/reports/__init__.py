"""Reports for the county's training office: completion exports, the summary dashboard, the audit
log, and user management for administrators.

Everything here is for administrators only (instructors get their workshop's CSV from
lms/cohorts). Domain modules are free of HTTP: `completions` (the export rows), `summary`
(aggregates and medians), `spreadsheets` (CSV/XLSX writing made safe for Excel and WPS),
`users` (roles, deactivation, name corrections) and `auditlog` (reading the log back).
"""
