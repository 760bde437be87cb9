"""Pure matching of an archive entity onto the catalog: exact ThemeParks.wiki id, then fuzzy name.

No database here: the caller passes the exact hit (if any) and the candidate rides of the same park.
"""
from dataclasses import dataclass, field

from thefuzz import fuzz

EXACT, FUZZY, CREATED = "EXACT", "FUZZY", "CREATED"
AUTO, NEEDS_REVIEW = "AUTO", "NEEDS_REVIEW"
KEEP_CANDIDATES = 5


@dataclass(frozen=True)
class Candidate:
    ride_id: int
    name: str


@dataclass(frozen=True)
class MatchDecision:
    """method EXACT/FUZZY/CREATED; status AUTO or NEEDS_REVIEW; ride_id None means "make a ride"."""

    method: str
    status: str
    ride_id: int | None
    score: float | None
    candidates: list = field(default_factory=list)  # [{"ride_id", "name", "score"}], best first


def name_score(a: str, b: str) -> int:
    """0..100; word order, case and punctuation (™, ®, dashes) do not matter."""
    return fuzz.token_sort_ratio(a, b)


def match_entity(*, name: str, exact_ride_id: int | None, candidates, auto_score: int = 90,
                 review_score: int = 70) -> MatchDecision:
    """Decide where an archive entity goes.

    - exact id hit: EXACT/AUTO;
    - one clear best name at or above `auto_score`: FUZZY/AUTO onto it;
    - a tie at the top, or a best between `review_score` and `auto_score`: FUZZY/NEEDS_REVIEW
      (the caller stores the data on a provisional ride until staff decide);
    - otherwise CREATED/AUTO: a new ride.
    """
    if exact_ride_id is not None:
        return MatchDecision(EXACT, AUTO, exact_ride_id, 100.0)
    scored = sorted(({"ride_id": c.ride_id, "name": c.name, "score": name_score(name, c.name)} for c in candidates),
                    key=lambda c: (-c["score"], c["ride_id"]))
    top = [c for c in scored if c["score"] >= review_score][:KEEP_CANDIDATES]
    if not top:
        return MatchDecision(CREATED, AUTO, None, scored[0]["score"] if scored else None)
    best = top[0]["score"]
    tied = len(top) > 1 and top[1]["score"] == best
    if best >= auto_score and not tied:
        return MatchDecision(FUZZY, AUTO, top[0]["ride_id"], float(best), top)
    return MatchDecision(FUZZY, NEEDS_REVIEW, None, float(best), top)
