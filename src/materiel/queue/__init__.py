"""The run queue (docs/workspace.md, "Runs, the queue and sharing"): runs are rows in the store,
queued, running, done, failed or cancelled; worker processes claim the next queued run, carry it out
with the library's own calls (or on a Dask cluster), send heartbeats and progress, and store its
results in one transaction."""
