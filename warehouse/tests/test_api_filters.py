"""The parks of a ranking's scope (warehouse.api.filters)."""
from themepark.models import Park
from warehouse.api.filters import PARK_FIELDS, _loaded_park


def test_parks_loaded_directly_are_those_from_db():
    """warehouse.api.filters makes each park as `Park.from_db` would: the same attributes, the same state."""
    values = tuple(range(len(PARK_FIELDS)))
    made, expected = _loaded_park("replica", values), Park.from_db("replica", PARK_FIELDS, values)
    assert list(made.__dict__) == list(expected.__dict__)
    assert {k: v for k, v in made.__dict__.items() if k != "_state"} == {
        k: v for k, v in expected.__dict__.items() if k != "_state"}
    assert vars(made._state) == vars(expected._state) and not made._state.adding
    assert made.get_deferred_fields() == expected.get_deferred_fields() and made.pk == 0
