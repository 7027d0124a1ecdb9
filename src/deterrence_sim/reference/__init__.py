"""A plain per-agent reference implementation of the model, for docking (Axtell et al. 1996).

``ChannelModel`` (``deterrence_sim/model.py``) keeps people in a numpy column table and runs
each daily rule as array operations over everyone at once. ``ReferenceModel`` below states the
*same rules, in the same daily order*, the plain Mesa way: every person is a :class:`Migrant`
agent holding its own attributes, created with ``Migrant(model)`` and removed with
``agent.remove()`` when they leave the simulation, and each day every migrant makes their own
choices in ``step()``, called one by one through ``shuffle_do("step")``. Networks, the UK, France
and the courts are agents too, and each boat is handled one at a time. It is meant to be read
as the statement of the rules, and run to check that the fast model agrees with it
(``tests/test_docking.py``).

It reuses only infrastructure that holds no behavioural rule: parameter validation and daily
schedules (``deterrence_sim.params``, ``deterrence_sim.schedule``), the observed crossing days
(``deterrence_sim.observed.data``, for ``weather_mode = "observed"``), the state and group codes of
``deterrence_sim.population`` and the names of the daily figures (``deterrence_sim.daybook``). It never calls ``deterrence_sim.rules`` or ``ChannelModel``
(importing the package loads them, but nothing here uses them), so a rule broken in the fast
model shows up as a difference between the two.

Its random draws come from the model's own seeded generators (``self.random`` for the scalar
draws, ``self.rng`` for the Poisson counts), and the weather is drawn day by day from the same
month-dependent chain, so runs agree with ``ChannelModel`` in distribution, not draw for draw.

The daily order (numbers are the rules of docs/ODD.md and the modules of ``rules/``):

 1. inflow       newcomers reach the coast (``Migrant(model)`` each), believing their group's signal
 2. weather      today's sea state, from the monthly two-state chain
11. legal route  awareness spreads (the model), then in ``shuffle_do("step")`` every migrant:
10.   returns      a returnee goes back to the coast or gives up
11.   legal route  applies, hears the decision on an application that is due, or (approved and
                   waiting for parity room) gives up
 4.   belief       moves toward the group's signal
 3.   decision     leaves the route or, on a viable day and if they can pay, joins their
                   network's queue;
11.                and the UK admits approved applicants within the parity room
 5-7.            each network sells seats from its random queue and launches boats one by one;
                 France stops some, some are rescued, some people die, the rest arrive
 8. UK           screens arrivals, detains up to capacity
 9. courts       decide challenges that are due
 6. France       answers referrals that are due, within the weekly cap
 8. UK           flights; then the removal window expires for others
 5. smugglers    adapt load and price, restock; the community's records fade
    records      the day's figures are collected

The UK's admissions come after the migrants' own step rather than between the legal-route
decisions and the belief update as in ``ChannelModel``: approved applicants take no further part
in the day, and the parity room depends only on removals up to yesterday, so the outcome is
the same.
"""

from ..daybook import DAILY_COLUMNS
from .institutions import Court, FrenchAuthority, UKAuthority
from .model import ReferenceModel
from .people import Migrant, Smuggler

__all__ = ["ReferenceModel", "Migrant", "Smuggler", "UKAuthority", "FrenchAuthority", "Court", "DAILY_COLUMNS"]
