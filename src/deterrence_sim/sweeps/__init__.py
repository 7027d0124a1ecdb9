"""Parameter sweeps and global sensitivity analysis (``deterrence-sim sweep`` and ``sensitivity``).

* :mod:`.spec`: the TOML sweep specs of ``experiments/sweeps/`` (what to vary, how, what to record);
* :mod:`.design`: the design points (grid, Latin hypercube, Sobol sequence, Morris, Saltelli);
* :mod:`.execute`: running them on Dask or in this process, with seeds from one root seed;
* :mod:`.store`: Parquet parts written as runs finish, and resuming an interrupted sweep;
* :mod:`.sensitivity`: Morris and Sobol indices (SALib) with their intervals;
* :mod:`.figures`: heatmaps and partial-dependence plots named in a spec.

From Python, with any Dask client::

    from deterrence_sim.sweeps import load_spec, run_sweep
    summary = run_sweep(load_spec("experiments/sweeps/capacity_x_challenge.toml"), "results/sweeps/x",
                        client=client)
"""

from .execute import run_sweep
from .spec import load as load_spec
from .store import load_results

__all__ = ["load_spec", "run_sweep", "load_results"]
