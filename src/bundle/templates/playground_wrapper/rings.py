"""Ring validity: a ring must not cross or touch itself (OGC simple-feature validity)."""


def _orientation(a, b, c):
    value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return 0 if value == 0 else (1 if value > 0 else -1)


def _within_box(a, b, p):
    return (min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
            and min(a[1], b[1]) <= p[1] <= max(a[1], b[1]))


def segments_intersect(p1, p2, p3, p4):
    """True when closed segments p1-p2 and p3-p4 share at least one point."""
    o1 = _orientation(p1, p2, p3)
    o2 = _orientation(p1, p2, p4)
    o3 = _orientation(p3, p4, p1)
    o4 = _orientation(p3, p4, p2)
    if o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4):
        return True
    return ((o1 == 0 and _within_box(p1, p2, p3)) or (o2 == 0 and _within_box(p1, p2, p4))
            or (o3 == 0 and _within_box(p3, p4, p1)) or (o4 == 0 and _within_box(p3, p4, p2)))


def _folds_back(first, second):
    """Consecutive segments A-B, B-C that run back over each other (a spike)."""
    a, b = first
    c = second[1]
    if _orientation(a, b, c) != 0:
        return False
    return (a[0] - b[0]) * (c[0] - b[0]) + (a[1] - b[1]) * (c[1] - b[1]) > 0


def ring_problem(ring):
    """None for a valid closed ring, else what is wrong with it. Sorted sweep over x, then
    the O(n^2) pairwise segment test among overlapping candidates."""
    points = [ring[0]]
    for point in ring[1:]:
        if point != points[-1]:
            points.append(point)  # repeated consecutive positions are harmless
    if len(points) < 4:
        return "the ring has fewer than 3 distinct corners"
    segments = list(zip(points, points[1:]))
    count = len(segments)
    order = sorted(range(count), key=lambda k: min(segments[k][0][0], segments[k][1][0]))
    for position, i in enumerate(order):
        seg_i = segments[i]
        right = max(seg_i[0][0], seg_i[1][0])
        for j in order[position + 1:]:
            seg_j = segments[j]
            if min(seg_j[0][0], seg_j[1][0]) > right:
                break
            low, high = (i, j) if i < j else (j, i)
            if high - low == 1:
                if _folds_back(segments[low], segments[high]):
                    return "the ring folds back on itself at %s" % list(segments[low][1])
            elif low == 0 and high == count - 1:
                if _folds_back(segments[high], segments[low]):
                    return "the ring folds back on itself at %s" % list(segments[low][0])
            elif segments_intersect(seg_i[0], seg_i[1], seg_j[0], seg_j[1]):
                return "the ring crosses itself (edges %d and %d)" % (low, high)
    doubled_area = 0.0
    for a, b in segments:
        doubled_area += a[0] * b[1] - b[0] * a[1]
    if doubled_area == 0:
        return "the ring has zero area"
    return None
