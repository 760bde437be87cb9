"""collector.crossref: pure matching of Queue-Times parks and rides to ThemeParks.wiki ones."""
from collector import crossref


def test_names_match_across_trademark_signs_and_subset_names_are_unsure():
    sure = crossref.best_match("TRANSFORMERS: The Ride-3D", [(1, "TRANSFORMERS™: The Ride-3D"), (2, "E.T. Adventure™")],
                               auto=90, review=70)
    assert (sure.key, sure.sure) == (1, True)
    unsure = crossref.best_match("Hogwarts Express", [(1, "Hogwarts Express - King's Cross"),
                                                      (2, "Hogwarts Express - Hogsmeade")], auto=90, review=70)
    assert unsure.score == 100 and not unsure.sure
    assert crossref.best_match("Pteranodon Flyers", [(1, "Jurassic Park River Adventure")], auto=90, review=70) is None


def test_nearby_parks_get_a_bonus_that_settles_a_differently_named_park():
    candidates = [{"key": 1, "name": "Universal Studios Florida", "latitude": 28.4749822, "longitude": -81.466497},
                  {"key": 2, "name": "Universal Islands of Adventure", "latitude": 28.472243, "longitude": -81.4678556}]
    park = {"name": "Universal Studios At Universal Orlando", "latitude": 28.4749822, "longitude": -81.466497}
    match = crossref.park_match(park, candidates, auto=90, review=70)
    assert (match.key, match.sure) == (1, True)
    far = {**park, "latitude": 0.0, "longitude": 0.0}
    assert not crossref.park_match(far, candidates, auto=90, review=70).sure


def test_the_tree_is_rebuilt_from_parent_ids():
    children = [{"id": "a", "parentId": "park"}, {"id": "b", "parentId": "a"}, {"id": "c", "parentId": "other"},
                {"id": "d", "parentId": "e"}, {"id": "e", "parentId": "d"}]
    assert [c["id"] for c in crossref.descendants(children, "park")] == ["a", "b"]
