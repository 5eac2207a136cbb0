"""One router per area; handlers are thin: parse, authorise, call a service."""
