"""Side-by-side benchmarks: each module compares ntro-ship with its peers."""
