"""pdflow simulator stand-in for NIXL 0.6.1: the python API is in nixl._api, as in the real wheel
(whose package __init__ exports nothing else)."""
__all__ = ["nixl"]
__version__ = "0.6.1"
