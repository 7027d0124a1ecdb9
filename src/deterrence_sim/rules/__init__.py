"""The behavioural rules of the model, one module per mechanism.

Each rule is a small function, over one person's numbers (the decision, belief, returns and
legal-route rules, which the compiled day applies person by person) or over arrays (one entry
per person, boat or network), with a docstring saying what it models and where its numbers come
from. ``model.py`` calls them in the
daily order of events; the plain per-agent reference in ``benchmarks/reference_model.py``
restates the same rules person by person.

The rules that run every day are compiled with numba (``@njit(cache=True)``): they are written
as ordinary numpy code, run inside the compiled day without Python's per-call overhead, and
can still be called from Python (tests, notebooks). The first run on a machine compiles them
(about a minute) and caches the result beside the source; later runs load it in a second.
Random draws come from the generator passed in (the model's seeded ``rng``).

| module          | mechanism (issue numbering)                                    |
|-----------------|----------------------------------------------------------------|
| inflow          | 1. people reach northern France                               |
| weather         | 2. whether the sea allows crossings today                      |
| decision        | 3. try, wait or leave the route                                |
| belief          | 4. perceived removal risk, learned and forgotten               |
| smugglers       | 5. seats, boats, loads and prices                              |
| france          | 6. beach prevention, at-sea interception, answers to referrals |
| crossing        | 7. arrival, rescue or death at sea                             |
| uk              | 8. screening, detention, flights, the removal window           |
| courts          | 9. legal challenges                                            |
| returns         | 10. returnees housed in France, re-crossing                    |
| legal_route     | 11. the "one in" legal route and parity                        |
"""
