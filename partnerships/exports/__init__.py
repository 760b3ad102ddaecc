"""Open data and research exports: documented datasets, streamed as CSV (README, « Open data »)."""
