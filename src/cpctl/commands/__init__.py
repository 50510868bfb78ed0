"""The command layer: one module per noun, each a typer.Typer() mounted by cpctl.cli."""
