"""The course studio: instructors upload, check, edit, preview, publish and roll back courses in the browser.

Everything is stored in the database (drafts, every published version, authors), so several app
servers serve and edit the same courses. Publishing goes through `lms.content.sync.publish_course`,
the same code `flask courses sync` uses.
"""
