"""The generator of the bundled example data (see examples/generate_examples.py)."""
