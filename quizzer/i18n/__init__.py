"""Languages: texts that carry English and Japanese, and the catalogue of interface words."""
