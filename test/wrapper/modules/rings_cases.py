"""Cases for playground_wrapper.rings (rings that cross or touch themselves), run by
rings.test.ts."""

import math
import time

from cases import case, report
from playground_wrapper.rings import ring_problem, segments_intersect


def big_ring_seconds():
    n = 5000
    ring = [[500 + (300 + 50 * math.sin(7 * 2 * math.pi * k / n)) * math.cos(2 * math.pi * k / n),
             500 + (300 + 50 * math.sin(7 * 2 * math.pi * k / n)) * math.sin(2 * math.pi * k / n)]
            for k in range(n)]
    ring.append(ring[0])
    started = time.time()
    problem = ring_problem(ring)
    return [problem, time.time() - started]


case("5000-vertex valid ring", big_ring_seconds)
case("segments touching at an end", lambda: segments_intersect([0, 0], [2, 0], [2, 0], [3, 5]))
case("parallel segments", lambda: segments_intersect([0, 0], [2, 0], [0, 1], [2, 1]))
case("collinear disjoint segments", lambda: segments_intersect([0, 0], [1, 0], [2, 0], [3, 0]))

report()
