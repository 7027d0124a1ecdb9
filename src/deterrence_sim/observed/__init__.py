"""What was observed: :mod:`.data` loads the observed series of ``seeds/`` with clear errors;
:mod:`.targets` turns them into the targets of calibration and validation, beside their simulated
counterparts.
"""
