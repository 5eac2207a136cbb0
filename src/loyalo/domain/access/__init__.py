"""Who may do what: roles, capabilities and the caller of a request."""
