"""deterrence-sim: an agent-based model of Channel small-boat crossings and the UK-France
"one in, one out" pilot, asking whether scaling up removals would deter crossings."""

__version__ = "0.1.0"

from .numba_cache import use_keyed_cache

use_keyed_cache()  # before any compiled function is defined: a cache that cannot serve a stale rule

from .errors import ConfigError  # noqa: E402
from .model import ChannelModel  # noqa: E402

__all__ = ["ChannelModel", "ConfigError", "__version__"]
