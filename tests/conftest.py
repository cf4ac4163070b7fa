from __future__ import annotations

import pytest

from tests.case_counter import RUN

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.world",
    "tests.fixtures.graphql",
    "tests.fixtures.indicators",
    "tests.fixtures.articles",
    "tests.fixtures.experts",
    "tests.fixtures.idp",
    "tests.fixtures.oauth",
    "tests.fixtures.federation",
    "tests.fixtures.redis",
]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many sharing cases ran, per suite and database engine."""
    if not RUN:
        return
    terminalreporter.section("sharing cases run")
    for (suite, engine), cases in sorted(RUN.items()):
        terminalreporter.write_line(f"{suite} on {engine}: {cases} cases")
