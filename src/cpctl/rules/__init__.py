"""The rules of each nation: the timescale profiles and the arithmetic of working days."""
