"""The synthetic families: the Testwoods of the demo, and whole synthetic authorities for benchmarks."""
