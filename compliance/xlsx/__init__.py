"""XLSX as a file format, below any one workbook's meaning: shared by every reader and writer.

``package`` opens an untrusted workbook safely, ``sheet_cells`` streams one sheet's cells under
a budget, ``raw_workbook`` reads every sheet into one plain type, ``escapes`` handles OOXML's
_xHHHH_ text escapes both ways, ``addresses`` spells cell references, and ``cells`` writes a
value into a cell, the one way each type is written, within the format's limits.
"""
