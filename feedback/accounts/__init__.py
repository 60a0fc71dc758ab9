"""Accounts: workspace users and roles (admin, officer, Parent Carer Voice), invitations, signed-in
sessions, sign-in, the object-level permission checks every workspace route uses, the admin's user
management and the audit log.

May use: the shell (`feedback.settings`, `feedback.rendering`, `feedback.errors`, `feedback.rate_limit`)
and `surveys` (runs, for permission checks). Every other feature uses this one; it uses no feature.
"""
