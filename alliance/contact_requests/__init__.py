"""Contact requests: a member that learned of a match asks the record's owner to talk."""
