"""What the API and the portal share about HTTP, below both: neither imports the other."""
