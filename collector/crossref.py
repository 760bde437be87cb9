"""Pure matching of Queue-Times parks and rides to ThemeParks.wiki ones (no database).

Names are compared with thefuzz's token_set_ratio after folding case, trademark signs and
punctuation ("TRANSFORMERS™: The Ride-3D" == "TRANSFORMERS: The Ride-3D"). Parks less than
`NEAR_KM` apart get `NEAR_BONUS` points, since park names differ more between the sources
than ride names do ("Universal Studios At Universal Orlando" / "Universal Studios Florida").

A match is *sure* when its score reaches FUZZY_AUTO_SCORE and beats the runner-up by at least
`MARGIN` points; a best score between FUZZY_REVIEW_SCORE and that is *unsure*: logged for a
person to decide, never guessed. Below FUZZY_REVIEW_SCORE there is no match.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from thefuzz import fuzz

NEAR_KM = 3.0
NEAR_BONUS = 10
MARGIN = 5


@dataclass(frozen=True)
class Match:
    key: object
    name: str
    score: int
    sure: bool
    runner_up: int = 0


def clean_name(name: str) -> str:
    return re.sub(r"[^\w]+", " ", (name or "").casefold().replace("™", "").replace("®", "")).strip()


def distance_km(lat1, lon1, lat2, lon2) -> float | None:
    """Great-circle distance; None when a coordinate is missing."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def best_match(name: str, candidates, *, auto: int, review: int, bonus=None) -> Match | None:
    """The best of `candidates` [(key, name)] for `name`, or None below `review`.
    `bonus(key)` may add points to a candidate (proximity)."""
    target = clean_name(name)
    scored = []
    for key, candidate in candidates:
        score = fuzz.token_set_ratio(target, clean_name(candidate)) + (bonus(key) if bonus else 0)
        scored.append((min(100, score), key, candidate))
    if not scored:
        return None
    scored.sort(key=lambda row: row[0], reverse=True)
    score, key, candidate = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    if score < review:
        return None
    return Match(key=key, name=candidate, score=score, sure=score >= auto and score - runner_up >= MARGIN,
                 runner_up=runner_up)


def park_match(park: dict, candidates, *, auto: int, review: int) -> Match | None:
    """Match a Queue-Times park (name, latitude, longitude) among candidate dicts
    {key, name, latitude, longitude}."""
    coords = {c["key"]: (c.get("latitude"), c.get("longitude")) for c in candidates}

    def bonus(key):
        km = distance_km(park.get("latitude"), park.get("longitude"), *coords[key])
        return NEAR_BONUS if km is not None and km <= NEAR_KM else 0

    return best_match(park["name"], [(c["key"], c["name"]) for c in candidates], auto=auto, review=review,
                      bonus=bonus)


def descendants(children: list[dict], root_id: str) -> list[dict]:
    """The entities of a flat `/children` list whose parentId chain reaches `root_id`
    (the tree rebuilt from parentId; orphans and cycles are left out)."""
    by_id = {c.get("id"): c for c in children}
    reaches: dict[str, bool] = {}

    def walk(entity_id):
        seen = []
        current = entity_id
        while current not in reaches:
            if current == root_id:
                result = True
                break
            entity = by_id.get(current)
            if entity is None or current in seen:
                result = False
                break
            seen.append(current)
            current = entity.get("parentId")
        else:
            result = reaches[current]
        for visited in seen:
            reaches[visited] = result
        return result

    return [c for c in children if c.get("id") and c.get("id") != root_id and walk(c["id"])]
