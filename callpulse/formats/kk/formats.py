"""Kazakh numbers as Kazakhstan writes them: '215 287 540,21' (Django ships no kk formats).

Only the number settings: dates keep what the templates ask for.
"""

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
