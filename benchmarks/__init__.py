"""Performance suite for materiel: synthetic scenarios and the timing/memory runner (``python -m benchmarks.run``)."""
