pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.world",
    "tests.fixtures.graphql",
    "tests.fixtures.idp",
    "tests.fixtures.oauth",
    "tests.fixtures.federation",
]
