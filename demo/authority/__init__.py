"""A generated authority: many invented families taken through the real services at their own
simulated dates under a controllable clock (time-machine), over several years ending today.

`manage.py generate_authority --children N --seed S` makes one on any migrated database
(its own agencies, teams, users and local data, or those already there); `manage.py load_demo`
adds background history to the demo authority with the same journeys (`demo.authority.run`).
Nothing imports this package but the demo's commands and the tests.
"""
