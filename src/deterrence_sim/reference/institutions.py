"""The reference model's institutions: the UK, France and the courts, each a plain Mesa agent
(see ``deterrence_sim.reference``)."""

from __future__ import annotations

import math

import mesa

from ..population import (
    ADMITTED,
    ANSWER_ACCEPTED,
    ANSWER_PENDING,
    CHALLENGE_LOST,
    CHALLENGE_NONE,
    CHALLENGE_PENDING,
    DETAINED,
    IN_UK_ASYLUM,
    RETURNABLE,
    RETURNED,
)
from .people import Migrant

FLIGHT_EPSILON = 1e-9  # rule 8: 1.5 flights a week is exactly 3 every 14 days despite rounding


class UKAuthority(mesa.Agent):
    """The Home Office: screening, detention, flights, the removal window, legal-route admissions."""

    def __init__(self, model):
        super().__init__(model)
        self.detained: list[Migrant] = []  # people held for return, in the order they were detained
        self.approved: list[Migrant] = []  # approved applicants waiting for room under parity
        self.flight_credit = 0.0
        self.removed_total = 0
        self.admitted_total = 0
        self.flights_total = 0

    def release_to_asylum(self, people: list[Migrant]) -> None:
        """Take ``people`` out of detention into the asylum system (France refused them, or a court
        found for them)."""
        gone = set(people)
        self.detained = [a for a in self.detained if a not in gone]
        for person in people:
            self.model.exit(person, IN_UK_ASYLUM)

    def admit(self) -> None:
        """Rule 11 (rules/legal_route.py): admit approved applicants in order of decision day, up to
        parity_ratio x removals so far (removals up to yesterday), or all without parity."""
        m = self.model
        c = m.c
        if not self.approved:
            return
        room = (
            len(self.approved)
            if not c.parity
            else max(0, math.floor(c.parity_ratio * self.removed_total) - self.admitted_total)
        )
        self.approved.sort(key=lambda a: (a.application_day, a.unique_id))
        admitted, self.approved = self.approved[:room], self.approved[room:]
        for person in admitted:
            m.exit(person, ADMITTED)
        self.admitted_total += len(admitted)
        m.today["admitted_legal_route"] = len(admitted)

    def screen(self, arrivals: list[Migrant]) -> None:
        """Rule 8 (rules/uk.py): recognise re-crossers (fast track on), detain eligible or
        recognised arrivals while places last, recognised first then at random; refer each to
        France, and each may file a legal challenge (rule 9). Everyone else enters asylum."""
        m = self.model
        c, p, t, random, today = m.c, m.p, m.day, m.random, m.today
        fast_track_on = p["biometric_fast_track"] > 0
        recognised, eligible, released = [], [], []
        for person in arrivals:
            if fast_track_on and person.times_returned > 0 and random.random() < c.biometric_match_prob:
                recognised.append(person)
            elif person.eligible:
                eligible.append(person)
            else:
                released.append(person)
        random.shuffle(recognised)
        random.shuffle(eligible)
        free = max(0, math.floor(p["detention_capacity"]) - len(self.detained))
        queue = recognised + eligible
        held, released = queue[:free], released + queue[free:]
        for person in released:
            m.exit(person, IN_UK_ASYLUM)
        today["entered_asylum"] += len(released)
        n_recognised = len(recognised)
        for i, person in enumerate(held):
            person.state = DETAINED
            person.fast_track = i < n_recognised
            person.arrived_day = t
            person.referral_day = t + random.randint(1, c.referral_days)
            person.answer_day = person.referral_day + random.randint(1, c.france_answer_days)
            person.answer = ANSWER_PENDING
            if random.random() < p["challenge_prob"]:
                m.court.file(person)
            else:
                person.challenge = CHALLENGE_NONE
            self.detained.append(person)
        today["detentions"] = len(held)

    def fly(self) -> None:
        """Rule 8 (rules/uk.py): flights accrue at flights_per_week / 7 a day; cleared detainees
        (accepted by France, no challenge pending) board, fast-tracked first, then by arrival day."""
        m = self.model
        p, t, today = m.p, m.day, m.today
        self.flight_credit += p["flights_per_week"] / 7.0
        n_flights = math.floor(self.flight_credit + FLIGHT_EPSILON)
        self.flight_credit -= n_flights
        if n_flights == 0:
            return
        cleared = [a for a in self.detained if a.answer == ANSWER_ACCEPTED and a.challenge != CHALLENGE_PENDING]
        cleared.sort(key=lambda a: (not a.fast_track, a.arrived_day, a.unique_id))
        seats = math.floor(n_flights * p["seats_per_flight"])
        board = cleared[:seats]
        for person in board:
            person.state = RETURNED
            person.times_returned += 1
            person.barred = True
            person.belief = 1.0  # the risk learned first-hand (rule 4)
            person.fast_track = False
            person.since = t
            m.removed_record[person.group] += 1
        if board:
            on_board = set(board)
            self.detained = [a for a in self.detained if a not in on_board]
        n = len(board)
        self.removed_total += n
        m.totals["removed"] += n
        flights = min(n_flights, math.ceil(n / p["seats_per_flight"])) if n and p["seats_per_flight"] > 0 else 0
        self.flights_total += flights
        today["removed"] = n
        today["flights"] = flights

    def expire_window(self) -> None:
        """Rule 8 (rules/uk.py): detainees not removed within removal_window_days enter asylum."""
        m = self.model
        t, window = m.day, m.c.removal_window_days
        out = [a for a in self.detained if t - a.arrived_day >= window]
        if out:
            self.detained = [a for a in self.detained if t - a.arrived_day < window]
            for person in out:
                m.exit(person, IN_UK_ASYLUM)
            m.today["entered_asylum"] += len(out)


class FrenchAuthority(mesa.Agent):
    """The French state: beach and at-sea policing, answers to referrals within a weekly cap."""

    def __init__(self, model):
        super().__init__(model)
        self.week = -1
        self.accepted_this_week = 0

    def stops(self, is_taxi: bool) -> tuple[bool, bool]:
        """Rules 6 and 6a (rules/france.py, interception.py): stop a launch with the beach or the
        taxi-boat probability, lowered by force restraint and raised by at-sea interception. Returns
        (stopped, stopped on the water): a taxi boat whose draw falls in the band the interception
        adds is one intercepted on the water."""
        m = self.model
        p = m.p
        u = m.random.random()
        if is_taxi:
            prob = min(1.0, p["taxi_prevention_prob"] + m.c.at_sea_interception_gain * p["at_sea_interception"])
            return u < prob, p["taxi_prevention_prob"] <= u < prob
        prob = p["beach_prevention_prob"] * (1.0 - m.c.force_restraint_effect * p["force_restraint"])
        return u < prob, False

    def answer_referrals(self) -> None:
        """Rule 6 (rules/france.py): due referrals, oldest answer day first (then by id), are
        accepted with a group-dependent probability or refused (asylum); acceptances beyond the
        Monday-to-Sunday weekly cap are deferred to next Monday and drawn again then."""
        m = self.model
        p, t, today, uk = m.p, m.day, m.today, m.uk
        week = (t + m.weekday0) // 7
        if week != self.week:
            self.week = week
            self.accepted_this_week = 0
        today["referred_to_france"] = sum(1 for a in uk.detained if a.referral_day == t)
        due = [a for a in uk.detained if a.answer == ANSWER_PENDING and a.answer_day <= t]
        if not due:
            return
        due.sort(key=lambda a: (a.answer_day, a.unique_id))
        cap = math.floor(p["france_weekly_cap"])
        next_monday = (week + 1) * 7 - m.weekday0
        refused = []
        for person in due:
            accept = p["france_accept_returnable"] if person.group == RETURNABLE else p["france_accept_other"]
            if m.random.random() >= accept:
                refused.append(person)
            elif self.accepted_this_week < cap:
                person.answer = ANSWER_ACCEPTED
                self.accepted_this_week += 1
            else:
                person.answer_day = next_monday
        if refused:
            uk.release_to_asylum(refused)
            today["entered_asylum"] += len(refused)


class Court(mesa.Agent):
    """The courts: challenges filed by detainees, decided after an exponential delay."""

    def __init__(self, model):
        super().__init__(model)
        self.filed_total = 0
        self.won_total = 0

    def file(self, person: Migrant) -> None:
        """Rule 9 (rules/courts.py): a challenge is decided at least a day later (exponential delay)."""
        m = self.model
        person.challenge = CHALLENGE_PENDING
        person.challenge_day = m.day + 1 + math.floor(m.random.expovariate(1.0 / m.c.challenge_days))
        self.filed_total += 1
        m.today["legal_challenges_filed"] += 1

    def decide(self) -> None:
        """Rule 9 (rules/courts.py): a due challenge succeeds with challenge_success_prob (asylum);
        a lost one stops blocking the flight."""
        m = self.model
        p, t, uk = m.p, m.day, m.uk
        won = []
        for person in uk.detained:
            if person.challenge == CHALLENGE_PENDING and person.challenge_day <= t:
                if m.random.random() < p["challenge_success_prob"]:
                    won.append(person)
                else:
                    person.challenge = CHALLENGE_LOST
        if won:
            uk.release_to_asylum(won)
        self.won_total += len(won)
        m.today["legal_challenges_won"] = len(won)
        m.today["entered_asylum"] += len(won)
