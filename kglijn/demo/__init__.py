"""Demo data calibrated to the source tables (000 §2-§4) and demo users; see docs/demo.md."""
