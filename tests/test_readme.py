"""The README's promises stay true: its commands name real files, its examples parse."""

import re

from formcheck.coach.routine import plan_from_toml
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def test_first_lines_are_the_two_fresh_machine_commands():
    block = README.split("```")[1].strip().splitlines()
    assert len(block) == 2
    install_and_run, run_tests = block
    assert "pip install ." in install_and_run and "formcheck analyze" in install_and_run
    assert "pytest" in run_tests
    sample = re.search(r"sample_videos/\S+\.mp4", install_and_run).group(0)
    assert (REPO / sample).is_file()


def test_routine_example_parses():
    toml = re.search(r"```toml\n(.*?)```", README, re.S).group(1)
    plan = plan_from_toml(toml)
    assert plan.lang == "de" and len(plan.sets) == 6


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert "python -m pytest" in ci
