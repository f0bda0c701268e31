"""What the user declares: schema, loading with located errors, unit conversion, provenance, what-ifs."""
