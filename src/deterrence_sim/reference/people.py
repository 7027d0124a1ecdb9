"""The reference model's people and smuggling networks, each a plain Mesa agent with its own
attributes (see ``deterrence_sim.reference``)."""

from __future__ import annotations

import math

import mesa

from ..population import ANSWER_ACCEPTED, ANSWER_PENDING, APPLIED, CHALLENGE_NONE, LEFT_ROUTE, RETURNED, WAITING

STOCK_DAYS = 3  # rule 5: a network keeps at most this many days of launches in stock


class Migrant(mesa.Agent):
    """One person on the Channel route, with their own attributes."""

    def __init__(self, model, *, group, ties, eligible, budget, network, since, belief):
        super().__init__(model)
        self.state = WAITING
        self.group = group  # nationality group (RETURNABLE, PROTECTION, OTHER)
        self.network = network  # index of the smuggling network they deal with
        self.ties = ties  # family ties in the UK (may use the legal route)
        self.eligible = eligible  # may be detained for return under the scheme
        self.budget = budget  # GBP on reaching France
        self.since = since  # day the current wait in France began
        self.belief = belief  # perceived removal risk, 0..1
        self.times_returned = 0
        self.barred = False  # barred from the legal route after a removal
        self.fast_track = False  # recognised re-crosser
        self.arrived_day = self.referral_day = self.answer_day = 0  # the detained person's case
        self.answer = ANSWER_PENDING
        self.challenge = CHALLENGE_NONE
        self.challenge_day = 0
        self.application_day = 0  # day a legal-route application is decided

    def step(self) -> None:
        """This person's choices today: come back from a return, apply, update belief, leave or try."""
        m = self.model
        c, p, t, random = m.c, m.p, m.day, m.random
        if self.state == RETURNED:
            self.returnee_moves(random, c, t)
            if self.state != WAITING and self.state != RETURNED:
                return
        if self.state == WAITING and p["legal_route_open"] > 0 and self.ties and not self.barred:
            self.maybe_apply(random, c, t)
        if self.state == APPLIED and self.answer == ANSWER_PENDING and self.application_day <= t:
            self.hear_decision(random, c)
        if self.state == APPLIED and self.answer == ANSWER_ACCEPTED:
            self.wait_for_room(random, c, t)
        self.update_belief(m)
        if self.state == WAITING:
            self.decide(random, c, p, t)

    def returnee_moves(self, random, c, t) -> None:
        """Rule 10 (rules/returns.py): a returnee goes back to the coast, gives up, or stays housed."""
        u = random.random()
        if u < c.returnee_recross_daily:
            self.state = WAITING
            self.since = t
        elif u < c.returnee_recross_daily + c.returnee_settle_daily:
            self.model.exit(self, LEFT_ROUTE)
            self.model.today["left_route"] += 1

    def maybe_apply(self, random, c, t) -> None:
        """Rule 11 (rules/legal_route.py): a waiting person with UK ties, not barred, applies with
        probability awareness x application_rate; the decision comes after an exponential delay."""
        if random.random() < self.model.awareness * c.application_rate:
            self.state = APPLIED
            self.answer = ANSWER_PENDING
            self.application_day = t + 1 + math.floor(random.expovariate(1.0 / c.legal_processing_days))
            self.model.today["legal_applications"] += 1

    def hear_decision(self, random, c) -> None:
        """Rule 11 (rules/legal_route.py): a due application is approved (then wait for the parity
        room) or refused (back to waiting, the wait not restarted)."""
        if random.random() < c.legal_approval_prob:
            self.answer = ANSWER_ACCEPTED
            self.model.uk.approved.append(self)
        else:
            self.state = WAITING

    def wait_for_room(self, random, c, t) -> None:
        """Rule 11 (rules/legal_route.py), the limbo: an approved applicant still waiting for parity
        room gives up on each full day waited with probability limbo_give_up_daily, and at the latest
        once limbo_max_days have passed since the decision (0 turns either off); they go back to
        waiting, barred from applying again."""
        waited = t - self.application_day
        if (c.limbo_max_days > 0 and waited >= c.limbo_max_days) or (
            c.limbo_give_up_daily > 0 and waited > 0 and random.random() < c.limbo_give_up_daily
        ):
            self.state = WAITING
            self.barred = True
            self.model.uk.approved.remove(self)

    def update_belief(self, m) -> None:
        """Rule 4 (rules/belief.py): belief moves toward the group's signal at the memory rate."""
        keep = m.memory_keep
        self.belief = keep * self.belief + (1.0 - keep) * m.signal[self.group]

    def decide(self, random, c, p, t) -> None:
        """Rule 3 (rules/decision.py): leave the route at a rate raised by perceived risk; on a
        viable day, if the network's price is affordable, try with a probability that rises with
        time waited and falls with perceived risk. The risk a person weighs is their belief if the
        scheme can remove them, ineligible_risk_weight x belief if not (rule 4), raised by the fee at
        stake under structural alternative (c); a newcomer may first turn back under (a), with chance
        1 - exp(-inflow_outcome_elasticity x strength x their group's signal)."""
        m = self.model
        s = p["deterrence_strength"]
        if (
            self.since == t
            and self.times_returned == 0
            and c.inflow_outcome_elasticity > 0
            and s > 0
            and random.random() < 1.0 - math.exp(-c.inflow_outcome_elasticity * s * m.signal[self.group])
        ):
            m.exit(self, LEFT_ROUTE)  # rule 1, structural alternative (a): a newcomer turns back
            m.today["left_route"] += 1
            return
        network = m.networks[self.network]
        risk = self.belief if self.eligible else c.ineligible_risk_weight * self.belief  # their own removal risk
        if c.sunk_cost_weight > 0 and c.price_min_gbp > 0:  # alternative (c): the fee at stake weighs
            risk = min(1.0, risk * max(1.0, network.price / c.price_min_gbp) ** c.sunk_cost_weight)
        factor = 1.0 if s == 0 else math.exp(-s * risk)
        if random.random() < min(1.0, p["leave_route_daily"] / factor):
            m.exit(self, LEFT_ROUTE)
            m.today["left_route"] += 1
            return
        if not m.viable:
            return
        waited = t - self.since
        if self.budget + c.savings_per_day_gbp * waited < network.price:
            return
        p_try = min(1.0, p["try_prob"] * (1.0 + c.impatience_per_month * min(waited, 90) / 30.0) * factor)
        if random.random() < p_try:
            network.queue.append(self)


class Smuggler(mesa.Agent):
    """One smuggling network: boats in stock, people packed per boat (load), price per seat."""

    def __init__(self, model, index: int):
        super().__init__(model)
        c = model.c
        self.index = index
        self.boats = c.boats_initial
        self.load = float(c.people_per_boat_initial)
        self.price = float(c.price_initial_gbp)
        self.queue: list[Migrant] = []  # today's would-be passengers
        self.customers = self.seats_offered = self.launched = self.lost = 0

    def launch(self) -> None:
        """Rules 5-7 (rules/smugglers.py, france.py, crossing.py): sell seats from a random queue,
        launch as many boats as can be filled to min_boat_fill, spread passengers evenly over
        them, and send each boat past the police and across the sea."""
        m = self.model
        c, random = m.c, m.random
        queue, self.queue = self.queue, []
        per_boat_load = math.floor(self.load)
        self.customers = len(queue)
        can_launch = min(self.boats, c.max_launches_per_day)
        self.seats_offered = can_launch * per_boat_load
        n = int(min(can_launch, math.floor(self.customers / max(c.min_boat_fill * per_boat_load, 1.0))))
        self.launched, self.lost = n, 0
        if n == 0:
            return
        random.shuffle(queue)  # a random queue within the network
        seated = queue[: n * per_boat_load]  # the others keep waiting
        self.boats -= n
        for b in range(n):
            self.sail(seated[b::n])  # round robin: loads differ by at most one

    def sail(self, passengers: list[Migrant]) -> None:
        """One boat: a taxi boat or a beach launch; stopped by France, rescued, or at sea."""
        m = self.model
        today = m.today
        today["attempts"] += len(passengers)
        is_taxi = m.random.random() < m.p["taxi_boat_share"]
        stopped, on_the_water = m.france.stops(is_taxi)
        if stopped:
            self.lost += 1
            today["prevented"] += len(passengers)
            if on_the_water:
                today["intercepted_at_sea"] += len(passengers)
            return
        if m.random.random() < m.c.rescue_to_france_prob:
            today["rescued"] += len(passengers)  # landed back in France, still waiting
            return
        m.at_sea(passengers)

    def adapt(self) -> None:
        """Rule 5 (rules/smugglers.py): raise the load after losses, move the price with excess
        demand and losses (viable days only), restock boats up to a few days of launches (the weekly
        supply times boat_supply_factor, the measures against boats and engines)."""
        m = self.model
        c, p = m.c, m.p
        self.load = min(self.load + c.people_per_boat_gain * self.lost, c.people_per_boat_max)
        if m.viable:
            pressure = min(1.0, max(-1.0, self.customers / max(self.seats_offered, 1) - 1.0))
            losses = self.lost / max(self.launched, 1)
            price = self.price * math.exp(c.price_response * (pressure + losses))
            self.price = min(c.price_max_gbp, max(c.price_min_gbp, price))
        new = int(m.rng.poisson(p["boat_supply_per_week"] * p["boat_supply_factor"] / 7.0))  # the supply measures
        self.boats = min(self.boats + new, STOCK_DAYS * c.max_launches_per_day)
