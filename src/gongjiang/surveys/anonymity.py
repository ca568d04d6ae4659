"""The disclosure rule, in one place: no figure for a group smaller than the survey's threshold.

``suppressed(groups, threshold)`` decides which groups of a breakdown are withheld. A group with
fewer respondents than the threshold is withheld (primary suppression); when the withheld groups
together hold fewer than the threshold, the next smallest groups are withheld too (secondary
suppression), so that no withheld group can be recovered by subtracting the shown groups from the
total. Every path that shows figures (pages, API, exports) goes through
``selectors.breakdown`` / ``selectors.export_table``, which call this.
"""

from __future__ import annotations

from collections.abc import Mapping


def suppressed(groups: Mapping[str, int], threshold: int) -> set[str]:
    out = {g for g, n in groups.items() if n < threshold}
    pooled = sum(groups[g] for g in out)
    if 0 < pooled < threshold:
        for g in sorted((g for g in groups if g not in out), key=lambda g: (groups[g], g)):
            out.add(g)
            pooled += groups[g]
            if pooled >= threshold:
                break
    return out
