"""The documents: gathering and redacting what a copy shows, rendering it, printing it to PDF."""
