"""The behavioural rules of the model, one module per mechanism, each whole in its module.

A module holds its mechanism's formulas (small functions over one person's numbers or over
arrays, each with a docstring saying what it models and where its numbers come from) and its
compiled steps of the day (the functions under "the steps of the day"): what the mechanism
gates on, the order in which it takes people, the changes it makes to the population table and
the daily figures it records. ``model.simulate_day`` is only the sequence of these steps, one
line each, in the order of docs/ODD.md section 3. A step takes ``w`` (``daybook.World``, every
table and record of the day, by name) and ``today`` (the day's figures: ``today.arrivals``).
The rules that concern each person alone (returns, legal-route applications and decisions,
belief, decision) each have a person's step (``@daybook.person_step``, named ``*_step``: one row
``i``, gating, draws, and the changes to that person's state and the day's figures), inlined into
the person-by-person pass (``model.people_day``), which is only the loop over people in the order
of events.

Adding a mechanism means: its module here (formulas and step), its parameters
(``params.PARAMS``, with ``mechanism`` set to the module's name; the ODD's heading for them comes from
the module docstring's first line, "Rule N, title: ..."), its line in ``model.simulate_day``, its statement in the reference
model, its section in docs/ODD.md, and its tests (``tests/test_rules_*.py``).

The rules that run every day are compiled with numba (``@njit(cache=True)``; the steps of the
day with ``@daybook.day_step``, which also inlines them into ``simulate_day``, since a compiled
call that takes ``w`` costs about 3 us in reference counting): they are written as ordinary
numpy code, run inside the compiled day without Python's per-call overhead, and can still be
called from Python (tests, notebooks). The first run on a machine compiles them (about a
minute) and caches the result in a folder keyed by a hash of the package's sources
(``numba_cache``); later runs load it in a second. Random draws come from the generator passed
in (the model's seeded ``rng``).

| module          | mechanism (issue numbering)                                    |
|-----------------|----------------------------------------------------------------|
| inflow          | 1. people reach northern France                               |
| weather         | 2. whether the sea allows crossings today                      |
| decision        | 3. try, wait or leave the route                                |
| belief          | 4. perceived removal risk, learned and forgotten               |
| smugglers       | 5. seats, boats, loads and prices                              |
| france          | 6. beach prevention, answers to referrals                      |
| interception    | 6a. taxi boats stopped at sea                                  |
| crossing        | 7. arrival, rescue or death at sea                             |
| uk              | 8. screening, detention, flights, the removal window           |
| courts          | 9. legal challenges                                            |
| returns         | 10. returnees housed in France, re-crossing                    |
| legal_route     | 11. the "one in" legal route and parity                        |
"""
