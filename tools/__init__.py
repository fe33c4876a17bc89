"""Developer tools of the parplan repository (not installed with the library; run from the repository root)."""
