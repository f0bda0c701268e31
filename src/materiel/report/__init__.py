"""Results for people: terminal summaries, CSV/Excel/PNG outputs and the self-contained HTML report."""
