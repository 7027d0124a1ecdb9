"""deterrence-sim: an agent-based model of Channel small-boat crossings and the UK-France
"one in, one out" pilot, asking whether scaling up removals would deter crossings."""

__version__ = "0.1.0"

from .numba_cache import use_keyed_cache

use_keyed_cache()  # before any compiled function is defined: a cache that cannot serve a stale rule

from typing import TYPE_CHECKING  # noqa: E402

from .errors import ConfigError  # noqa: E402

if TYPE_CHECKING:
    from .model import ChannelModel

__all__ = ["ChannelModel", "ConfigError", "__version__"]


def __getattr__(name: str):
    """``ChannelModel``, imported on first use rather than with the package: the model brings
    Mesa and its dependencies (about 0.7 s here), which the command line's help and its checks of
    bad input do not need."""
    if name == "ChannelModel":
        from .model import ChannelModel

        return ChannelModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
