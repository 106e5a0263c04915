"""commit-kg: a sourced knowledge graph about COMMIT and the legal basis of cross-border cooperation."""

__version__ = "0.1.0"
