"""Operations run from the command line: backup and restore, retention, and the demo data.

May use: the shell, every feature's services (the demo seeds through the real paths), `surveys`,
`consent`, `analysis`. Only the CLI uses it.
"""
