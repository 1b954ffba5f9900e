"""Question banks in and out: an Excel 题库 (XLSX or CSV) or a Moodle GIFT file becomes quiz markdown
that `courses check` accepts, and a quiz becomes the Excel layout again.

Pure functions of bytes and text: no Flask request, no database. Every problem names where it is
(`sheet!row` or `line N`) and is worded when shown, in the reader's language (see messages.py).
"""
