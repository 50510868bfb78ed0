"""What this run of cpctl is doing ("plan export"): the read log of a team's store says it. No imports, so that the
CLI can set it before any command module loads."""

COMMAND = [""]
