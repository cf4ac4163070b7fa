pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.world",
    "tests.fixtures.graphql",
    "tests.fixtures.indicators",
    "tests.fixtures.idp",
]
