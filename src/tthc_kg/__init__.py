"""tthc-kg: a knowledge graph of the legal bases of Vietnamese administrative plans."""

__version__ = "0.1.0"
