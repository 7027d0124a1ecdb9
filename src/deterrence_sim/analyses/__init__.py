"""The analyses: what the model is asked.

The main job (:mod:`.compare`, its uncertainty :mod:`.uncertainty`, its measures :mod:`.effects` and
its brief :mod:`.report`), where the effect comes from (:mod:`.decomposition`, :mod:`.shapley`,
:mod:`.attribution` of an observed change), how far the answer rests on the structure
(:mod:`.alternatives`, :mod:`.weather_check`) and the UK-Albania outside check (:mod:`.albania`).
Each enters the model through :func:`deterrence_sim.runner.simulate`.
"""
