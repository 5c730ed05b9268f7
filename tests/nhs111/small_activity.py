"""A small NHS 111 activity file, consistent in every measure, that tests alter cell by cell."""

import pandas as pd

from ccgtools.nhs111 import load

CONTRACTS = pd.DataFrame({"contract_code": ["A", "B", "C"], "contract_name": ["Alpha", "Beta", "Gamma"],
                          "region": ["North", "North", "South"]})


def activity_frame(changes: dict | None = None) -> pd.DataFrame:
    """Three contracts on two days, every measure consistent; ``changes`` edit (row, column) cells."""
    frame = pd.DataFrame({
        "date": ["2013-04-01"] * 3 + ["2013-04-02"] * 3, "contract_code": ["A", "B", "C"] * 2,
        "calls_received": [100, 200, 50, 120, 180, 60], "calls_answered": [90, 190, 45, 110, 170, 58],
        "calls_answered_60s": [81, 180, 30, 99, 150, 50], "calls_abandoned_30s": [8, 6, 4, 6, 7, 1],
        "calls_triaged": [80, 170, 40, 100, 150, 50], "callbacks_needed": [20, 30, 10, 25, 28, 12],
        "callbacks_10min": [10, 12, 2, 11, 15, 6], "warm_transfers": [5, 8, 2, 6, 9, 3]})
    frame = frame.astype(object)
    for (row, column), value in (changes or {}).items():
        frame.loc[row, column] = value
    return frame


def load_frame(write_csv, frame):
    return load.load_activity(write_csv(frame.astype(object), "activity.csv"), contracts=CONTRACTS)
