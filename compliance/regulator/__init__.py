"""The regulator's side of DTR-1: receive quarterly returns, verify them, roll them up.

``receive`` reads one return (``return.xlsx``, and the ``return.pdf`` beside it) as untrusted
input and says, with located reasons, whether it is a well-formed DTR-1 return whose figures
agree with its own rows and which carries no personal data. ``aggregate`` builds the sector
report of a quarter, half-year or year from the returns a regulator has received, recomputing
every figure from the returns' rows.
"""
