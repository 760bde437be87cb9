"""Pure matching decisions: exact id, fuzzy auto, tie or weak -> review, poor -> new ride."""
from importer.matching import Candidate, match_entity

RIDES = [Candidate(1, "Space Mountain"), Candidate(2, "Big Thunder Mountain Railroad"), Candidate(3, "Dumbo")]


def test_an_exact_id_wins_over_any_name():
    decision = match_entity(name="Whatever", exact_ride_id=9, candidates=RIDES)
    assert (decision.method, decision.status, decision.ride_id) == ("EXACT", "AUTO", 9)


def test_one_clear_best_name_at_or_above_the_auto_score_maps_automatically():
    decision = match_entity(name="SPACE MOUNTAIN™", exact_ride_id=None, candidates=RIDES)
    assert (decision.method, decision.status, decision.ride_id) == ("FUZZY", "AUTO", 1)
    assert decision.score >= 90


def test_two_equally_good_names_need_review_even_above_the_auto_score():
    twins = [Candidate(1, "Space Mountain"), Candidate(2, "Space Mountain")]
    decision = match_entity(name="Space Mountain", exact_ride_id=None, candidates=twins)
    assert (decision.status, decision.ride_id) == ("NEEDS_REVIEW", None)
    assert [c["ride_id"] for c in decision.candidates] == [1, 2]


def test_a_weaker_match_between_the_review_and_auto_scores_needs_review():
    decision = match_entity(name="Big Thunder Mountain", exact_ride_id=None, candidates=RIDES)
    assert 70 <= decision.score < 90
    assert (decision.method, decision.status, decision.candidates[0]["ride_id"]) == ("FUZZY", "NEEDS_REVIEW", 2)


def test_a_poor_match_creates_a_new_ride():
    decision = match_entity(name="Haunted Mansion", exact_ride_id=None, candidates=RIDES)
    assert (decision.method, decision.status, decision.ride_id) == ("CREATED", "AUTO", None)


def test_the_thresholds_are_configurable():
    decision = match_entity(name="Big Thunder Mountain", exact_ride_id=None, candidates=RIDES, auto_score=80)
    assert (decision.status, decision.ride_id) == ("AUTO", 2)
