"""reference_runner package."""
