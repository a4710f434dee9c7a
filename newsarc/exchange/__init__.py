"""Export and import formats: streaming writers and readers."""
