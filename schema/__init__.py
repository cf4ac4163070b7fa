"""The GraphQL layer: strawberry types, queries and mutations. No SQL here."""
