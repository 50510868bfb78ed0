"""cpctl: child protection conferences, plans and deadlines for UK chairs and lead social workers."""

__version__ = "0.1.0"
