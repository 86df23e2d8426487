"""The monthly satisfaction analysis, /reports/satisfaction/ (issue 5 §6).

queries.py   the grouped SQL over responses, contacts and invitations (and the filters);
month.py     the analysis of one month: breakdowns, trend, changes, what the figures mean;
figures.py   months and additive sums; stats.py significance tests; remarks.py free-text remarks;
exports.py   Excel and CSV; views.py urls.py the pages.
"""
