"""The one error type users see.

Every problem with user input (a scenario file, a ``--set`` value, a keyword argument to
``ChannelModel``, a data file) raises :class:`ConfigError` with a single line that names the
offending key or file and what would have been accepted. The command line prints that line
and exits with status 2, without a traceback.
"""


class ConfigError(ValueError):
    """Bad user input: a one-line message naming the problem and the allowed values."""
