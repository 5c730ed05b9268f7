"""Every briefing's downloads, as the site publishes them: a valid Frictionless Data Package over tidy CSV files."""

import json
import re

import frictionless
import pandas as pd
import pytest

from ccgtools.page import downloads

pytestmark = pytest.mark.e2e

#: Text that is a number written out (with or without thousands separators, sign, decimals or exponent).
NUMBER_AS_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$|^[+-]?\d*\.\d+%?$")


def _folders(site):
    reports, outcomes = site
    return [reports / o.briefing.name for o in outcomes if o.status == "ok" and o.tables]


def test_every_briefing_has_a_data_package_that_validates(site):
    folders = _folders(site)
    assert len(folders) >= 9
    for folder in folders:
        descriptor = folder / "datapackage.json"
        report = frictionless.validate(descriptor)
        assert report.valid, (folder.name, report.flatten(["type", "note", "fieldName"])[:10])
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        assert package["title"] and package["name"] == folder.name.lower()
        assert sorted(r["path"] for r in package["resources"]) == sorted(p.name for p in folder.glob("*.csv"))
        for resource in package["resources"]:
            assert resource["title"] and resource["description"] and resource["format"] == "csv"
            assert resource["encoding"] == "utf-8"
            header = pd.read_csv(folder / resource["path"], nrows=0).columns.tolist()
            assert [f["name"] for f in resource["schema"]["fields"]] == header, resource["path"]
            assert all(f["description"] and f["type"] in downloads.TYPES for f in resource["schema"]["fields"])


def test_every_csv_header_is_snake_case_and_documented_in_the_field_dictionary(site):
    dictionary = downloads.field_dictionary()
    for folder in _folders(site):
        for path in folder.glob("*.csv"):
            header = pd.read_csv(path, nrows=0).columns.tolist()
            assert all(downloads.is_snake_case(name) for name in header), (path.name, header)
            missing = [name for name in header if name not in dictionary]
            assert not missing, f"{folder.name}/{path.name}: {missing} not in fields.toml"


def test_no_numeric_column_is_stored_as_text(site):
    for folder in _folders(site):
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        for resource in package["resources"]:
            table = pd.read_csv(folder / resource["path"], dtype=str, keep_default_na=False)
            for field in resource["schema"]["fields"]:
                values = table[field["name"]]
                present = values[values != ""]
                if field["type"] == "string" and len(present):
                    assert not present.str.match(NUMBER_AS_TEXT).all(), (folder.name, resource["path"], field["name"])
                if field["type"] == "integer":
                    assert present.str.fullmatch(r"-?\d+").all(), (folder.name, resource["path"], field["name"])


def test_units_are_named_in_the_columns_and_percentages_are_on_one_scale(site):
    dictionary = downloads.field_dictionary()
    for name, entry in dictionary.items():
        for suffix, unit in (("_percent", "percent"), ("_ratio", "ratio"), ("_per_1000", "per 1,000 patients")):
            if name.endswith(suffix):
                assert entry.get("unit") == unit, name
    for folder in _folders(site):
        for path in folder.glob("*.csv"):
            table = pd.read_csv(path)
            for column in (c for c in table.columns if c.endswith("_percent") or c == "percent"):
                values = table[column].dropna()
                assert values.between(0, 100).all(), (folder.name, path.name, column)
            assert not any(c.startswith("prob_") for c in table.columns), (folder.name, path.name)
