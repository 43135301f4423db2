"""Small statistics helpers (:mod:`.statstools`)."""
