"""The case-work kernel: what every case app shares and nothing else provides.

Its base (`errors`, `references`) sits below the case models; the rest (`access`, the gate;
`locking`; `transitions`; `answers`; `middleware`) sits above every case model and below the
services (DESIGN.md, "Architecture"; the contracts in pyproject.toml).
"""
