"""The monthly satisfaction analysis, /reports/satisfaction/ (issue 5 §6).

queries.py   the grouped SQL and the analysis of one month; figures.py months and additive sums;
stats.py     significance hints; remarks.py the free-text remarks; exports.py Excel and CSV;
views.py urls.py   the pages.
"""
