"""Timing shared by the PyTorch side of bench/Atelier.Bench."""
import time


def timed(step, warmup, iters):
    """Seconds of each of `iters` calls of `step` after `warmup` untimed ones."""
    times = []
    for i in range(warmup + iters):
        t0 = time.perf_counter()
        step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return times
