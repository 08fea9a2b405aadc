"""pdflow simulator stand-in for NIXL 0.6.1 (python API in nixl._api)."""
from nixl._api import nixl_agent, nixl_agent_config  # noqa: F401

__version__ = "0.6.1"
