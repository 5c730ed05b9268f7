"""Example Airflow DAG: rebuild the ccgtools briefings monthly (111 data) and quarterly (practice data).

Copy into your Airflow ``dags/`` folder and set CCGTOOLS_HOME to the project checkout whose
``.venv`` was built with ``make setup``. Each task runs ``ccgtools build --only NAME``: it rebuilds
that briefing only if its notebook, parameters, data or ccgtools' code changed, publishes it
atomically, and exits non-zero (failing the task, keeping the last good page) if it fails.
Builds of one reports folder run one at a time (``reports/build.lock``): tasks that may overlap
pass ``--wait`` so that the second waits for the first instead of exiting with status 3.
Not imported by ccgtools or its tests: Airflow is not one of ccgtools' dependencies.
"""

import os
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

HOME = os.environ.get("CCGTOOLS_HOME", "/opt/ccgtools")
CCGTOOLS = f"{HOME}/.venv/bin/ccgtools"
WAIT = "--wait 3600"  # these tasks share reports/: wait up to an hour for another build to finish

with DAG("ccgtools_nhs111_monthly", schedule="0 6 5 * *", start_date=datetime(2026, 1, 1), catchup=False,
         tags=["ccgtools"]) as monthly:
    BashOperator(task_id="nhs111_contracts",
                 bash_command=f"cd {HOME} && {CCGTOOLS} build --only nhs111_contracts_2013 {WAIT}")
    BashOperator(task_id="nhs111_iucadc",
                 bash_command=f"cd {HOME} && {CCGTOOLS} build --only nhs111_iucadc_2025-26 {WAIT}")

with DAG("ccgtools_practices_quarterly", schedule="0 6 10 1,4,7,10 *", start_date=datetime(2026, 1, 1),
         catchup=False, tags=["ccgtools"]) as quarterly:
    names = ["practice_variation_emergency_admissions", "practice_variation_ae_attendances",
             "practice_variation_antibiotic_items", "practice_variation_outpatient_referrals"]
    BashOperator(task_id="practice_variation",
                 bash_command=f"cd {HOME} && {CCGTOOLS} build --only {' '.join(names)} --jobs 2 {WAIT}")
