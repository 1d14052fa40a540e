# contrib: demo estate, plugin template, benchmarks.
