"""Chapter-specific helpers (computations and figures too long for a notebook cell), one module per chapter."""
