"""The interactive view: one run of the model, day by day, in the browser (Solara).

    ./dsim app                    listens on 127.0.0.1 only (whatever $HOST says)
    ./dsim app --host 0.0.0.0     to let other machines in (the app has no login)

Pick a standard scenario (``experiments/scenarios/``) and a seed, move the levers, press
*Apply and restart*, then *Step* (one day) or *Play*. The run goes from 2025-01-01 to the end of
2027. The policy levers (removal flights, detention places, France's weekly cap, legal
challenges, French beach policing) take the slider's value from ``LEVERS_FROM``, the ramp-up
date of the standard scenarios; before that the scenario runs as written. The two levers about
people (how strongly perceived removal risk deters, how often returnees try again) hold for the
whole run. Every slider starts at the chosen scenario's value, and its range lies inside the
parameter's allowed range in ``params.PARAMS``, which is where every default comes from.

Each browser session (each tab) has its own model: what one visitor does never moves
another's run. The panels show crossings and removals per month, where people are (waiting in
France, held in the UK), what the people waiting believe about their chance of removal (the
mean over time, and the spread over today's Migrant agents), the smugglers' loads and prices,
and the running totals. While playing, the charts are redrawn every few simulated days (the
*redraw every* slider); the speed reached is shown beside the date.

The app only shows the model; it adds nothing to it. It is one replicate, for building
intuition: for intervals over replicates use ``deterrence-sim compare``. The page's assets are
served locally (the ``solara-assets`` package), so it works offline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

import solara
import solara.lab

from .analyses import compare
from . import compiling, scenario
from . import params as parameters
from .app_panels import CHART_PANELS, belief_spread_figure, daily_frame, status_text, totals_html, waiting_beliefs
from .limits import seed_problem
from .model import ChannelModel

#: The scenarios the app offers: the standard set of ``deterrence-sim compare``.
SCENARIOS = {path.stem: path for path in compare.standard_scenarios()}
DEFAULT_SCENARIO = "pilot"
APP_START, APP_END = dt.date(2025, 1, 1), dt.date(2027, 12, 31)
#: The date from which the policy levers take the sliders' values (the standard ramp-up date).
LEVERS_FROM = dt.date.fromisoformat(scenario.RAMP_DATE)
DEFAULT_SEED = 42
#: Play speed, in simulated days a second (a slider changes it). While playing, each frame
#: simulates as many days as the speed allows in the time the last frame took to draw (at least
#: MIN_FRAME_DAYS), so the speed holds however slow the machine is to draw the charts.
DEFAULT_PLAY_SPEED = 30
MIN_FRAME_DAYS = 2
#: Play stops if the page has not drawn a frame after this long (its browser tab was closed).
FRAME_TIMEOUT_S = 30


@dataclasses.dataclass(frozen=True)
class Lever:
    """One slider: a model parameter (``params.PARAMS[name]``), shown as ``label: value``."""

    name: str
    label: str
    high: float
    step: float
    fmt: str = "{:g}"
    whole_run: bool = False  # False: the slider's value holds from LEVERS_FROM

    @property
    def low(self) -> float:
        return float(parameters.PARAMS[self.name].low)

    def text(self, value: float) -> str:
        return f"{self.label}: {self.fmt.format(value)}"


LEVERS = (
    Lever("flights_per_week", "Removal flights per week", 30, 0.5),
    Lever("detention_capacity", "UK detention places", 3000, 50, "{:,.0f}"),
    Lever("france_weekly_cap", "Returns France accepts per week", 1000, 10, "{:,.0f}"),
    Lever("challenge_success_prob", "Legal challenges that succeed", 1, 0.05, "{:.0%}"),
    Lever("beach_prevention_prob", "French prevention: beach launches stopped", 1, 0.01, "{:.0%}"),
    Lever("deterrence_strength", "Deterrence strength", 5, 0.01, "{:.2f}", whole_run=True),
    Lever(
        "returnee_recross_daily", "Re-crossing: a returnee's chance per day", 0.01, 0.00001, "{:.3%}", whole_run=True
    ),
)
LEVER = {lever.name: lever for lever in LEVERS}


def scenario_kwargs(name: str) -> dict:
    """The ChannelModel keyword arguments of a standard scenario, run to APP_END."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    return scenario.load(SCENARIOS[name]).with_overrides(end=APP_END.isoformat()).model_kwargs()


def scenario_levels(name: str) -> dict[str, float]:
    """Each lever's value in a scenario on LEVERS_FROM (where the sliders start)."""
    kwargs = scenario_kwargs(name)
    start = parameters.parse_date(kwargs["start"], "start")
    const, daily = parameters.build(kwargs["values"], start, (LEVERS_FROM - start).days + 1)
    return {
        lever.name: float(getattr(daily, lever.name)[-1] if hasattr(daily, lever.name) else getattr(const, lever.name))
        for lever in LEVERS
    }


def apply_lever(kwargs: dict, lever: Lever, value: float) -> None:
    """Set ``lever`` to ``value`` in ``kwargs``: for the whole run, or (policy levers) from
    LEVERS_FROM, keeping the scenario's own schedule before that date."""
    if lever.whole_run:
        kwargs[lever.name] = float(value)
        return
    param = parameters.PARAMS[lever.name]
    current = kwargs["values"].replace({k: v for k, v in kwargs.items() if k in parameters.PARAMS})[lever.name]
    start = parameters.parse_date(kwargs["start"], "start")
    if isinstance(current, tuple):  # a schedule: (date, value) pairs
        before = {d.isoformat(): v for d, v in current if d < LEVERS_FROM}
        if not before or min(before) > start.isoformat():
            before = {start.isoformat(): param.baseline_value, **before}
    else:
        before = {start.isoformat(): current}
    kwargs[lever.name] = {**before, LEVERS_FROM.isoformat(): float(value)}


def parse_seed(text) -> int:
    """The seed typed in the seed box: a whole number, 0 or more, checked as every command checks
    a seed. Raises ValueError with the message the app shows."""
    raw = str(text).strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ValueError(f"the seed must be a whole number, 0 or more (not {raw!r})")
    problem = seed_problem(int(raw))
    if problem:
        raise ValueError(f"the seed {problem}")
    return int(raw)


class AppModel(ChannelModel):
    """ChannelModel set up from the app's controls: a standard scenario run to APP_END, with
    each lever given (by its parameter name) set as :func:`apply_lever` says; levers not given,
    or equal to the scenario's value, leave the scenario as written."""

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, rng=DEFAULT_SEED, **levers):
        unknown = set(levers) - set(LEVER)
        if unknown:
            raise ValueError(f"not a lever of the app: {', '.join(sorted(unknown))}")
        kwargs = scenario_kwargs(scenario_name)
        levels = scenario_levels(scenario_name)
        for name, value in levers.items():
            if value != levels[name]:
                apply_lever(kwargs, LEVER[name], value)
        self.seed = parse_seed(rng)
        super().__init__(rng=self.seed, **kwargs)
        self.scenario_name = scenario_name
        self.lock = threading.RLock()  # the play loop steps while the page reads
        self.frame_shown = threading.Event()  # set by the page when it has drawn a frame
        # read by the play loop's thread (a page's reactive values, read there, may be stale)
        self.playing = False
        self.play_speed = DEFAULT_PLAY_SPEED
        self.levers = {**levels, **levers}


# ---------------------------------------------------------------------------------------- the page
# (plain HTML, not solara.Markdown: Markdown fetches its maths renderer from a CDN, which fails offline)
def Html(html: str, tag: str = "div"):
    return solara.HTML(tag=tag, unsafe_innerHTML=html)


compiling.start_in_background()


#: Per browser session (solara keeps a module-level reactive value apart for each session): the
#: number of the frame shown, and the speed of play in simulated days a second. The play loop runs
#: in a thread of its own and sets them; only the panels read them, so that each frame redraws the
#: panels alone (a frame that re-rendered the whole page from the loop's thread would not reach
#: the browser until the loop ended).
FRAME = solara.reactive(0)
SPEED = solara.reactive(0.0)
FRAME_DAYS = solara.reactive(0)


@solara.component
def Chart(draw, model, frame, df):
    """One chart, redrawn when the model or the frame changes."""
    fig = solara.use_memo(lambda: draw(model, df), [model, frame])
    solara.FigureMatplotlib(fig, dependencies=[model, frame], format="png", dpi=90)


@solara.component
def BeliefSpread(model, frame, beliefs):
    fig = solara.use_memo(lambda: belief_spread_figure(beliefs), [model, frame])
    solara.FigureMatplotlib(fig, dependencies=[model, frame], format="png", dpi=90)


def snapshot(model: AppModel) -> dict:
    """What the panels show, read from the model in one go (the play loop waits meanwhile)."""
    with model.lock:
        df = daily_frame(model)
        return {
            "df": df,
            "beliefs": waiting_beliefs(model),
            "status": status_text(model),
            "totals": totals_html(model, df),
        }


@solara.component
def Panels(model, playing: bool):
    """The date, the charts and the totals of ``model``, redrawn at each frame."""
    frame = FRAME.value
    shot = solara.use_memo(lambda: snapshot(model), [model, frame])
    solara.use_effect(model.frame_shown.set, [model, frame])  # effects run once the frame is on its way
    speed = (
        f" · playing at {SPEED.value:.0f} simulated days a second, charts redrawn every {FRAME_DAYS.value} days"
        if playing and SPEED.value
        else ""
    )
    Html(f"{shot['status']}{speed} · scenario <b>{model.scenario_name}</b>, seed <b>{model.seed}</b>")
    with solara.ColumnsResponsive(12, large=6):
        for draw in CHART_PANELS:
            with solara.Card(margin=0, elevation=1):
                Chart(draw, model, frame, shot["df"])
        with solara.Card(margin=0, elevation=1):
            BeliefSpread(model, frame, shot["beliefs"])
        with solara.Card("Running totals", margin=0, elevation=1):
            Html(shot["totals"])


@solara.component
def LeverSlider(lever: Lever, values: solara.Reactive):
    value = values.value[lever.name]

    def set_value(v):
        if abs(float(v) - value) >= lever.step / 2:  # a move, not the slider snapping to its grid
            values.set({**values.value, lever.name: float(v)})

    Html(lever.text(value), tag="label")  # above its slider: the sidebar is too narrow for both on one line
    solara.SliderFloat(
        "", value=value, min=lever.low, max=lever.high, step=lever.step, on_value=set_value, thumb_label=False
    )


def play_frames(m: AppModel, playing: solara.Reactive) -> None:
    """Simulate a few days, wait until the page has drawn them, repeat, until paused or at the
    end of the run. Each frame takes as many days as the play speed allows in the time the last
    frame took to simulate and draw (its work, not the pause that keeps play at its speed:
    counting the pause would keep frames long after one slow frame)."""
    if not m.playing:
        return
    t0, d0, last_work_s = time.perf_counter(), m.day, 0.25
    while m.playing and m.running:
        started = time.perf_counter()
        speed = m.play_speed
        days = max(MIN_FRAME_DAYS, round(speed * last_work_s))
        with m.lock:
            for _ in range(days):
                if not m.running:
                    break
                m.step()
        m.frame_shown.clear()
        FRAME_DAYS.set(days)
        FRAME.set(FRAME.value + 1)  # the page redraws the panels (in its own thread) ...
        if not m.frame_shown.wait(timeout=FRAME_TIMEOUT_S):  # ... and says when it is done
            break  # nobody drew it: the tab was closed (or the machine is stuck); stop
        last_work_s = time.perf_counter() - started
        time.sleep(max(0.0, days / speed - last_work_s))  # not faster than the play speed
        SPEED.set((m.day - d0) / (time.perf_counter() - t0))
    m.playing = False
    playing.set(False)


def _run_card(m: AppModel, ready: bool, playing: bool, play_speed: int, step, toggle_play, set_play_speed) -> None:
    """The sidebar's Run card: Step, Play or Pause, the play speed, and a word at the end of the run."""
    with solara.Card("Run"):
        if not ready:
            solara.Info(compiling.COMPILING_MESSAGE.capitalize() + ". Step and Play work when it is done.")
        with solara.Row():
            solara.Button("Step 1 day", color="primary", on_click=step, disabled=playing or not m.running or not ready)
            solara.Button(
                "Pause" if playing else "Play",
                color="primary",
                on_click=toggle_play,
                disabled=not m.running or not ready,
            )
        Html(f"Play speed: {play_speed} simulated days a second", tag="label")
        solara.SliderInt("", value=play_speed, min=5, max=120, step=5, on_value=set_play_speed)
        if not m.running:
            solara.Info("The run has reached its end, 31 Dec 2027. Apply and restart to run again.")


def _settings_cards(
    chosen: solara.Reactive, choose_scenario, seed_text: solara.Reactive, seed_error: str, levers: solara.Reactive
) -> None:
    """The sidebar's settings: the scenario and the seed, the policy levers from the ramp-up date,
    and the levers about people, for the whole run."""
    with solara.Card("Scenario and seed"):
        solara.Select(
            "Scenario (a file in experiments/scenarios/)",
            values=list(SCENARIOS),
            value=chosen.value,
            on_value=choose_scenario,
        )
        solara.InputText(
            "Random seed (a whole number, 0 or more)", value=seed_text, continuous_update=True, error=bool(seed_error)
        )
        if seed_error:
            solara.Error(f"Not applied: {seed_error}.")
    with solara.Card(f"Policy levers, from {LEVERS_FROM:%d %b %Y}"):
        Html(f"Before {LEVERS_FROM:%d %b %Y} the scenario runs as written; the sliders start at its values.")
        for lever in LEVERS:
            if not lever.whole_run:
                LeverSlider(lever, levers)
    with solara.Card("People, for the whole run"):
        for lever in LEVERS:
            if lever.whole_run:
                LeverSlider(lever, levers)
        Html(
            "Deterrence strength: 0, removals change nobody's choices; "
            f"{parameters.PARAMS['deterrence_strength'].default:g}, calibrated; "
            "3, the scale of the Australian turnbacks."
        )


@solara.component
def Page():
    ready = solara.use_reactive(compiling.is_ready())

    def wait_for_compilation():
        compiling.start_in_background().wait()
        ready.set(True)

    solara.use_thread(wait_for_compilation, dependencies=[], intrusive_cancel=False)

    # what the controls say, and what the running model was made with
    # (use_reactive follows its argument when that changes, so each gets a value made once)
    initial = solara.use_memo(lambda: (DEFAULT_SCENARIO, scenario_levels(DEFAULT_SCENARIO), str(DEFAULT_SEED)), [])
    chosen = solara.use_reactive(initial[0])
    levers = solara.use_reactive(initial[1])
    seed_text = solara.use_reactive(initial[2])
    first = solara.use_memo(lambda: AppModel(DEFAULT_SCENARIO, DEFAULT_SEED), [])  # this session's own model
    model = solara.use_reactive(first)
    applied = solara.use_reactive(initial)
    playing = solara.use_reactive(False)
    play_speed = solara.use_reactive(DEFAULT_PLAY_SPEED)
    message = solara.use_reactive("")

    m = model.value
    seed_error = ""
    try:
        parse_seed(seed_text.value)
    except ValueError as exc:
        seed_error = str(exc)
    pending = (chosen.value, levers.value, seed_text.value.strip()) != applied.value

    def choose_scenario(name):
        chosen.set(name)
        levers.set(scenario_levels(name))

    def apply():
        if seed_error:
            return
        m.playing = False
        playing.set(False)
        model.set(AppModel(chosen.value, seed_text.value, **levers.value))
        applied.set((chosen.value, levers.value, seed_text.value.strip()))
        FRAME.set(0)
        SPEED.set(0.0)
        message.set(
            f"Restarted from 1 Jan 2025: {chosen.value}, seed {parse_seed(seed_text.value)}, with the settings shown."
        )

    def step():
        with m.lock:
            m.step()
        FRAME.set(FRAME.value + 1)

    def play_loop():
        play_frames(m, playing)

    def toggle_play():
        m.playing = not m.playing
        m.play_speed = play_speed.value
        playing.set(m.playing)

    def set_play_speed(value):
        m.play_speed = value
        play_speed.set(value)

    solara.lab.use_task(play_loop, dependencies=[playing.value, m], prefer_threaded=True)

    solara.Title("deterrence-sim")
    with solara.AppBar():
        solara.AppBarTitle("deterrence-sim: Channel crossings and the one-in-one-out pilot")

    with solara.Sidebar():
        _run_card(m, ready.value, playing.value, play_speed.value, step, toggle_play, set_play_speed)
        _settings_cards(chosen, choose_scenario, seed_text, seed_error, levers)
        if pending:
            solara.Warning(
                "Settings changed: the run shown still uses the old ones. "
                "Press Apply and restart to start again from 1 Jan 2025 with the new settings."
            )
        solara.Button(
            "Apply and restart", color="primary" if pending else None, on_click=apply, disabled=bool(seed_error)
        )
        if message.value and not pending:
            solara.Success(message.value)

    Panels(m, playing.value)
