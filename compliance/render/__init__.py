"""Renderers of the returns: XLSX, PDF and the files around them."""
