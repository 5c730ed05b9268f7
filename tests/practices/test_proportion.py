"""ccgtools.practices.proportion: a proportion indicator by practice, with and without its practices' age-sex
registers (the quinary file), checked against simulations whose truth is known and by hand."""

import numpy as np
import pandas as pd
import pytest

from ccgtools.errors import ParameterError
from ccgtools.practices import load as practice_io
from ccgtools.practices import report, variation
from ccgtools.practices.proportion import (
    analyse_proportion,
    internal_age_sex_expected,
    proportion_frame,
)
from ccgtools.practices.synthetic import AGE_GROUPS, SEXES

BANDS = [f"{sex} {group}" for sex in SEXES for group in AGE_GROUPS]
MIDPOINTS = np.array([2.5 + 5 * i for i in range(20)])


def simulate(seed: int, practices: int = 400, planted: int = 5):
    """Practices whose proportion depends on their age-sex structure only, except ``planted`` ones.

    Each practice's list leans older or younger (a random tilt of a common age pyramid, with noise in every
    five-year group) and has 44-56% men. Everyone in a sex and age group has the same chance of being
    counted (a steep rise with age, as a chronic-disease register; men 1.33 times women), so an ordinary
    practice's true proportion is Σ band share × band rate; the first ``planted`` practices have 1.6 times
    the odds. Returns the indicator (Fingertips columns) and the registers (the quinary matrix).
    """
    rng = np.random.default_rng(seed)
    pyramid = np.exp(-((MIDPOINTS - 40) / 35) ** 2)
    tilt = rng.normal(0, 1, practices)
    weights = pyramid * np.exp(np.outer(tilt, (MIDPOINTS - 45) / 25)) * rng.gamma(20, 1 / 20, (practices, 20))
    shares = weights / weights.sum(axis=1, keepdims=True)
    male, size = rng.uniform(0.44, 0.56, practices), rng.integers(2000, 12000, practices)
    counts = np.rint(np.concatenate([shares * (size * male)[:, None], shares * (size * (1 - male))[:, None]], axis=1))
    codes = [f"P{i:04d}" for i in range(practices)]
    registers = pd.DataFrame(counts.astype(int), index=pd.Index(codes, name="practice_code"), columns=BANDS)
    by_age = 1 / (1 + np.exp(-(MIDPOINTS - 60) / 9))
    rates = np.concatenate([0.6 * by_age, 0.45 * by_age])
    true = (counts * rates).sum(axis=1) / counts.sum(axis=1)
    odds = true / (1 - true)
    odds[:planted] *= 1.6
    observed = rng.binomial(counts.sum(axis=1).astype(int), odds / (1 + odds))
    indicator = pd.DataFrame({"area_code": codes, "parent_code": "C1", "count": observed.astype(float),
                              "denominator": counts.sum(axis=1)})
    return indicator, registers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_age_sex_step_removes_the_flags_that_age_structure_alone_makes(seed):
    indicator, registers = simulate(seed)
    frame, _ = proportion_frame(indicator, [])
    plain, _ = analyse_proportion(frame, "register", covariates=())
    result, dropped = analyse_proportion(frame, "register", covariates=(), population=registers)
    assert dropped == 0 and result.views == ("crude", "age_sex", "adjusted") and result.age_sex_years == 5
    table = result.table.set_index("practice_code")
    ordinary = table.index[5:]
    crude_false = int((table.loc[ordinary, "crude_flag"] != "").sum())
    age_sex_false = int((table.loc[ordinary, "age_sex_flag"] != "").sum())
    # 395 ordinary practices at 99.8% limits: about 0.8 false alarms expected when age and sex are allowed for
    assert crude_false > 250, crude_false  # the league table flags most practices for their age structure
    assert age_sex_false <= 4, age_sex_false
    assert (table.loc[table.index[:5], "age_sex_flag"] == "high").sum() >= 4  # the planted ones stay flagged
    # without the registers there is no age-sex step, and the crude flags are the same
    assert plain.views == ("crude", "adjusted")
    assert (plain.table["crude_flag"] == result.table["crude_flag"]).all()


def test_internal_rates_are_recovered_when_counts_are_exact():
    # Three bands, rates 0.01, 0.1 and 0.5 per patient; six practices, counts exactly Σ n × r (no noise):
    # non-negative least squares must give back the rates and E = O.
    people = pd.DataFrame([[1000, 200, 50], [500, 500, 100], [300, 100, 400], [800, 300, 0], [100, 900, 250],
                           [600, 50, 350]], columns=["a", "b", "c"], index=list("ABCDEF"), dtype=float)
    rates = np.array([0.01, 0.1, 0.5])
    observed = pd.Series(people.to_numpy() @ rates, index=people.index)
    expected, estimated = internal_age_sex_expected(observed, people)
    assert estimated.to_numpy() == pytest.approx(rates, rel=1e-9)
    assert expected.to_numpy() == pytest.approx(observed.to_numpy(), rel=1e-9)


def test_quinary_file_merged_into_wider_bands_by_hand(tmp_path):
    # Practice A: MALE 0_4 = 10, MALE 5_9 = 20, FEMALE 90_94 = 3, FEMALE 95+ = 4; practice B: MALE 85_89 = 7.
    # Ten-year bands: A's MALE 0_9 = 30, FEMALE 90+ = 7; twenty-year: A's MALE 0_19 = 30, FEMALE 80+ = 7,
    # B's MALE 80+ = 7. Rows of SEX/AGE "ALL" (totals) are not counted; unlisted groups are 0.
    path = tmp_path / "quinary.csv"
    path.write_text("PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE_GROUP_5,"
                    "NUMBER_OF_PATIENTS\n"
                    "P,01JAN2021,GP,00K,E38000001,A,TS1 1AA,MALE,0_4,10\n"
                    "P,01JAN2021,GP,00K,E38000001,A,TS1 1AA,MALE,5_9,20\n"
                    "P,01JAN2021,GP,00K,E38000001,A,TS1 1AA,FEMALE,90_94,3\n"
                    "P,01JAN2021,GP,00K,E38000001,A,TS1 1AA,FEMALE,95+,4\n"
                    "P,01JAN2021,GP,00K,E38000001,A,TS1 1AA,ALL,ALL,37\n"
                    "P,01JAN2021,GP,00K,E38000001,B,TS1 1AB,MALE,85_89,7\n", encoding="utf-8")
    matrix = practice_io.load_quinary(path)
    assert matrix.loc["A"].sum() == 37 and matrix.loc["B"].sum() == 7
    ten = practice_io.age_sex_bands(matrix, 10)
    assert ten.shape == (2, 20) and list(ten.columns[:2]) == ["MALE 0_9", "MALE 10_19"]
    assert (ten.loc["A", "MALE 0_9"], ten.loc["A", "FEMALE 90+"], ten.loc["B", "MALE 80_89"]) == (30, 7, 7)
    twenty = practice_io.age_sex_bands(matrix, 20)
    assert list(twenty.columns) == [f"{s} {b}" for s in SEXES for b in ("0_19", "20_39", "40_59", "60_79", "80+")]
    assert (twenty.loc["A", "MALE 0_19"], twenty.loc["A", "FEMALE 80+"], twenty.loc["B", "MALE 80+"]) == (30, 7, 7)
    assert practice_io.age_sex_bands(matrix, 5).equals(matrix)
    assert (ten.sum(axis=1) == matrix.sum(axis=1)).all() and (twenty.sum(axis=1) == matrix.sum(axis=1)).all()


def test_fewer_practices_use_wider_bands_and_too_few_are_refused():
    indicator, registers = simulate(4, practices=250, planted=0)
    frame, _ = proportion_frame(indicator, [])
    result, _ = analyse_proportion(frame, "register", covariates=(), population=registers)
    assert result.age_sex_years == 10  # 250 practices: fewer than 10 per rate for 40 five-year bands, enough for 20
    with pytest.raises(ParameterError, match="quinary_path: 99 practices are too few"):
        analyse_proportion(frame.head(99), "register", covariates=(), population=registers)


def write_inputs(tmp_path, indicator, registers, missing: int):
    """The simulated indicator as a Fingertips export, and the registers as an NHS Digital quinary file without
    its last ``missing`` practices."""
    fingertips = tmp_path / "fingertips.csv"
    pd.DataFrame({"Indicator ID": "1", "Indicator Name": "Register", "Area Code": indicator["area_code"],
                  "Area Name": "Practice", "Area Type": "GPs", "Time period": "2023/24",
                  "Value": 100 * indicator["count"] / indicator["denominator"], "Count": indicator["count"],
                  "Denominator": indicator["denominator"]}).to_csv(fingertips, index=False)
    kept = registers.iloc[:len(registers) - missing]
    long = kept.stack().rename("NUMBER_OF_PATIENTS").reset_index()
    long[["SEX", "AGE_GROUP_5"]] = long["level_1"].str.split(" ", expand=True)
    quinary = tmp_path / "quinary.csv"
    long.rename(columns={"practice_code": "CODE"})[["CODE", "SEX", "AGE_GROUP_5", "NUMBER_OF_PATIENTS"]].to_csv(
        quinary, index=False)
    return fingertips, quinary


def test_briefing_adjusts_with_a_quinary_file_and_counts_the_practices_missing_from_it(tmp_path):
    indicator, registers = simulate(5)
    fingertips, quinary = write_inputs(tmp_path, indicator, registers, missing=7)
    briefing = variation.prepare_and_analyse("fingertips_proportion", indicator="register", covariates=(),
                                             fingertips_path=fingertips, fingertips_period="2023/24",
                                             quinary_path=quinary)
    result = briefing.result
    assert "age_sex" in result.views and len(result.table) == 393
    assert any(note.startswith("7 of 400 practices are not in the age-sex file") for note in briefing.notes)
    steps = report.steps_table(result)
    assert steps["view"].tolist()[1] == "Age-sex standardised (rates from these practices)"
    why = " ".join(report.why_adjust(result, "register", None))
    # 393 practices: fewer than 10 per rate for 40 five-year bands, so 10-year bands
    assert "rates for each sex and 10-year age band are worked out from all 393 practices" in why
    # the last step is described as the fit found it: widened only when practices vary more than chance
    assert ("does not widen the limits" in why) == (result.fit.phi <= 1) != ("Even then practices differ" in why)
    methods = " ".join(report.methods(result))
    assert "internally estimated rates" in methods and "non-negative least squares" in methods
    assert "after allowing for age and sex and for the usual variation" in report.headline(result, label="r")[0]


def test_without_a_quinary_file_an_age_related_indicator_is_warned_about(tmp_path):
    indicator, registers = simulate(6)
    fingertips, _ = write_inputs(tmp_path, indicator, registers, missing=0)
    briefing = variation.prepare_and_analyse("fingertips_proportion", indicator="qof_smoking", covariates=(),
                                             fingertips_path=fingertips, fingertips_period="2023/24")
    from ccgtools.practices.indicators import definition

    why = " ".join(report.why_adjust(briefing.result, "smoking", definition("qof_smoking")))
    assert "may be flagged for that reason alone" in why and "quinary_path" in why
    assert "age_sex" not in briefing.result.views


def test_quinary_path_is_refused_in_the_age_sex_events_mode():
    with pytest.raises(ParameterError, match="parameter quinary_path = 'x.csv': it is for mode 'fingertips_proportion'"):
        variation.check_briefing_parameters("age_sex_events", {"quinary_path": "x.csv", "registrations_path": "a",
                                                               "practices_path": "b", "events_path": "c",
                                                               "reference_rates_path": "d"})
