"""The intake workbook reader: an XLSX workbook into the raw document the JSON reader gives.

The result is a JSON-like dict, so the checker runs unchanged, plus a locator from JSON
Pointers to the cell each value came from, plus the issues only a workbook can have. The
entry point is :func:`compliance.readers.intake_xlsx.reader.read_intake_workbook`; the parts,
in reading order: ``cells`` (a cell as a JSON value), ``grid`` (a sheet's cells by row),
``headers`` and ``records`` (a table sheet's rows), ``key_values`` and ``tables`` (records
into the document), ``reports`` (issues about whole columns and merged cells), ``document``
(the order of it all), with ``locator`` and ``issues`` beside them.
"""
