"""Certificates: issued on completion, rendered once as a PDF, verifiable by anyone at /verify."""
