"""Tables owned by the application shell (accounts, sessions and the audit log arrive with the
workspace). Kept as its own Piccolo app so its migrations stay separate from the domain's."""
