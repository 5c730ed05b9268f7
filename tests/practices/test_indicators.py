"""Practice indicator definitions come from the data file, and an unknown indicator says so."""

import tomllib

from ccgtools.practices import indicators


def test_every_definition_is_complete_and_read_as_written():
    raw = tomllib.loads(indicators.DEFINITIONS.read_text(encoding="utf-8"))
    loaded = indicators.load_definitions()
    assert set(loaded) == set(raw) >= {"emergency_admissions", "ae_attendances", "antibiotic_items",
                                       "outpatient_referrals", "qof_smoking"}
    for key, entry in raw.items():
        assert loaded[key].label == entry["label"] and loaded[key].varies_with == entry["varies_with"]


def test_a_label_given_by_the_user_overrides_only_the_label():
    found = indicators.definition("ae_attendances", "A&E visits")
    assert found.label == "A&E visits" and found.age_related and "A&E" in found.varies_with


def test_an_unknown_indicator_gets_no_invented_description():
    found = indicators.definition("my_measure")
    assert found.label == "my measure" and not found.age_related
    assert found.varies_with.startswith("No definition of this indicator is held")
