"""Jinja2 templates, CSS and fonts of the PDFs; installed as the package compliance.templates."""
