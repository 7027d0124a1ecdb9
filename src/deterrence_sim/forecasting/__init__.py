"""Forecasts and their skill: :mod:`.forecast` (the model's forecasts from an origin),
:mod:`.baselines` (statistical forecasters without the model), :mod:`.backtest` (rolling-origin
comparison of the two), :mod:`.scores` (CRPS, log score, coverage) and :mod:`.registry` (forecasts
committed before their period, scored when the data arrive).
"""
