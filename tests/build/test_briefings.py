"""ccgtools.buildconfig: sweeps, parameter checks without papermill, and the cache key."""

import pytest

from ccgtools import config
from ccgtools.build.briefings import (
    Briefing,
    cache_key,
    code_fingerprint,
    effective_parameters,
    input_files,
    load_build_config,
    notebook_defaults,
)
from ccgtools.errors import ConfigError

from ..conftest import run_in_fresh_python

SURVEY = config.NOTEBOOKS_DIR / "survey_commissioning_support.ipynb"


def _config(tmp_path, text):
    path = tmp_path / "b.toml"
    path.write_text(text)
    return path


def test_sweep_is_a_product_with_templated_names(tmp_path):
    briefings = load_build_config(_config(tmp_path, f"""
[[briefing]]
name = "survey_{{group_by}}_{{confidence}}"
title = "Survey by {{group_by}}"
notebook = "{SURVEY}"
parameters = {{ min_responses = 10 }}
[briefing.sweep]
group_by = ["cluster", "provider_choice"]
confidence = [0.9, 0.95]
"""))
    assert [b.name for b in briefings] == ["survey_cluster_0.9", "survey_cluster_0.95",
                                           "survey_provider_choice_0.9", "survey_provider_choice_0.95"]
    assert briefings[3].parameters == {"min_responses": 10, "group_by": "provider_choice", "confidence": 0.95}
    assert briefings[0].title == "Survey by cluster"


def test_variants_list_parameter_sets(tmp_path):
    briefings = load_build_config(_config(tmp_path, f"""
[[briefing]]
name = "survey_{{group_by}}"
title = "T"
notebook = "{SURVEY}"
variants = [{{ group_by = "cluster" }}, {{ group_by = "population_band", confidence = 0.9 }}]
"""))
    assert [b.name for b in briefings] == ["survey_cluster", "survey_population_band"]
    assert briefings[1].parameters["confidence"] == 0.9


@pytest.mark.parametrize("extra,message", [
    ('[briefing.sweep]\nregion = "London"\n', "'sweep' must be a table"),
    ('variants = ["x"]\n', "'variants' must be a list of parameter tables"),
])
def test_bad_sweeps_refused(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=message):
        load_build_config(_config(tmp_path, f'[[briefing]]\nname = "a"\ntitle = "A"\nnotebook = "{SURVEY}"\n{extra}'))


def test_name_template_with_an_unknown_parameter(tmp_path):
    with pytest.raises(ConfigError, match="refers to \\{region\\}"):
        load_build_config(_config(tmp_path, f'[[briefing]]\nname = "a_{{region}}"\ntitle = "A"\nnotebook = "{SURVEY}"\n'))


def test_swept_names_must_stay_unique(tmp_path):
    with pytest.raises(ConfigError, match="used twice"):
        load_build_config(_config(tmp_path, f'[[briefing]]\nname = "same"\ntitle = "A"\nnotebook = "{SURVEY}"\n'
                                            '[briefing.sweep]\ngroup_by = ["cluster", "provider_choice"]\n'))


def test_notebook_defaults_read_without_papermill():
    defaults = notebook_defaults(SURVEY)
    # As written in the parameters cell: population_size = None (the codebook's [population] size is used).
    assert defaults["group_by"] == "cluster" and defaults["population_size"] is None
    assert defaults["confidence"] == 0.95


def test_cache_key_follows_data_content_parameters_and_code(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n")
    briefing = Briefing("x", "X", SURVEY, {"data_path": str(data)})
    parameters = effective_parameters(briefing)
    code = code_fingerprint()
    first = cache_key(briefing, parameters, input_files(parameters), code)
    # Stable across runs: a fresh interpreter (another hash seed) computes the same key for the same inputs.
    again = run_in_fresh_python(
        "from pathlib import Path\n"
        "from ccgtools.build.briefings import Briefing, cache_key, code_fingerprint, effective_parameters, "
        "input_files\n"
        f"briefing = Briefing('x', 'X', Path({str(SURVEY)!r}), {{'data_path': {str(data)!r}}})\n"
        "parameters = effective_parameters(briefing)\n"
        "print(cache_key(briefing, parameters, input_files(parameters), code_fingerprint()))")
    assert again == first
    data.write_text("a\n2\n")
    assert cache_key(briefing, parameters, input_files(parameters), code) != first
    assert cache_key(briefing, {**parameters, "confidence": 0.9}, input_files(parameters), code) != first
    assert cache_key(briefing, parameters, input_files(parameters), "other code") != first
