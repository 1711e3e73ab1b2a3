"""XLSX as a file format, below any one workbook's meaning: shared by every reader and writer.

``escapes`` handles OOXML's _xHHHH_ text escapes both ways, and ``cells`` writes a value into
a cell, the one way each type is written, within the format's limits.
"""
