"""The register's derived counts (ADR 0005): rollup models and the code that keeps them exact.

`models` holds the tables (app label `contacts`, tables `reports_rollup_*`); `services` keeps
them exact on every contact write, refreshes or rebuilds them on the bulk paths and checks them.
The readers (reports, the builder, the dashboard) only read them.
"""
