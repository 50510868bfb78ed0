"""The case records: people, conferences, plans and their revisions, core groups, visits, deadlines."""
