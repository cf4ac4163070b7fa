"""The expert directory: people who opted in, found by topic, language and region."""
