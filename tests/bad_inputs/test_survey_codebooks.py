"""Bad survey codebooks, and codebooks that do not match their data: clear errors naming file, entry and expectation."""

import pytest

from ccgtools import config
from ccgtools.errors import DataError
from ccgtools.survey import codebook, load

BUNDLED = (config.DATA_DIR / "survey_commissioning_support_2012.codebook.toml").read_text(encoding="utf-8")


def _book(tmp_path, text, name="bad.codebook.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, words", [
    ('type = "likert"', 'type = "likret"', ["'type' is 'likret'", "single_choice"]),
    ('scale = "satisfaction"', 'scale = "satisfation"', ["'satisfation', which is not declared", "satisfaction"]),
    ('headline = ["No"]', 'headline = ["Nope"]', ["headline answer 'Nope' is not one of its labels", "Yes, No"]),
    ('direction = "ascending"', 'direction = "up"', ["'direction' is 'up'", "ascending"]),
    ('respondents = "CCGs"\n', '', ["'respondents' is missing"]),
    ('percent = 84.0', 'percent = 84.0\nat_least = 80.0', ["both or neither"]),
    ('edges = [0, 100000, 250000, 500000]', 'edges = [0, 100000, 250000]', ["4 labels for 3 edges"]),
    ('column = "q_programme_satisfaction"\ntype', 'column = "q_sufficient_information"\ntype', ["declared twice"]),
])
def test_bad_entry_names_file_entry_and_expectation(tmp_path, old, new, words):
    assert old in BUNDLED
    with pytest.raises(DataError) as info:
        codebook.read_codebook(_book(tmp_path, BUNDLED.replace(old, new, 1)))
    message = str(info.value)
    assert "bad.codebook.toml" in message and "expected" in message
    for word in words:
        assert word in message


def test_not_toml_and_missing(tmp_path):
    with pytest.raises(DataError, match="not a valid TOML file") as info:
        codebook.read_codebook(_book(tmp_path, "[survey\ntitle = 1"))
    assert "bad.codebook.toml" in str(info.value)
    with pytest.raises(DataError, match="codebook not found"):
        codebook.read_codebook(tmp_path / "absent.toml")


def test_margins_must_name_the_groups(tmp_path):
    text = BUNDLED.replace("[suppression]", '[population.margins.cluster]\nLondon = 0.2\nWales = 0.8\n\n[suppression]')
    with pytest.raises(DataError, match="'Wales', which is not a group of 'cluster'"):
        codebook.read_codebook(_book(tmp_path, text))


def test_data_without_a_column_the_codebook_names(tmp_path, survey_frame):
    survey_frame.drop(columns=["q_programme_satisfaction"]).to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(DataError, match="missing required column") as info:
        load.load_survey(tmp_path / "s.csv")
    assert info.value.column == "q_programme_satisfaction" and info.value.row == 1


def test_data_with_a_label_not_in_the_scale(tmp_path, survey_frame):
    survey_frame.loc[7, "q_support_offered_satisfaction"] = "Quite content"
    survey_frame.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(DataError, match="unknown value") as info:
        load.load_survey(tmp_path / "s.csv")
    assert (info.value.row, info.value.column) == (9, "q_support_offered_satisfaction")
    assert "'Fairly dissatisfied'" in str(info.value)


def test_unknown_grouping_and_focus(tmp_path):
    from ccgtools.errors import ParameterError

    book = codebook.read_codebook()
    with pytest.raises(ParameterError, match="unknown grouping 'region'.*cluster, population_band, provider_choice"):
        load.resolve_group_by(book, "region")
    stakeholders = load.load_survey(None, config.DATA_DIR / "survey_ccg_360_stakeholder.codebook.toml")
    with pytest.raises(ParameterError, match="'Nowhere CCG' is not a ccg in the file.*Abbeyvale CCG"):
        load.in_scope(stakeholders, focus="Nowhere CCG")


STAKEHOLDERS = (config.DATA_DIR / "survey_ccg_360_stakeholder.codebook.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, words", [
    ("hide_unanimous = true", 'hide_unanimous = "yes"', ["'hide_unanimous' is 'yes'", "true or false"]),
    ('"Coldmere CCG" = "higher"', '"Coldmere CCG" = "up"', ["'planted' is", "\"higher\" or \"lower\""]),
])
def test_bad_disclosure_and_planted_entries_are_named(tmp_path, old, new, words):
    assert old in STAKEHOLDERS
    text = STAKEHOLDERS.replace(old, new, 1).replace('data = "survey_ccg_360_stakeholder_synthetic.csv"',
                                                     f'data = "{config.DATA_DIR / "survey_ccg_360_stakeholder_synthetic.csv"}"')
    with pytest.raises(DataError) as info:
        codebook.read_codebook(_book(tmp_path, text))
    message = str(info.value)
    assert "bad.codebook.toml" in message and "expected" in message
    for word in words:
        assert word in message
