"""Articles: members' know-how (guides, playbooks, case studies), shared by audience."""
