"""Emulated huggingface_hub for pdflow's simulated nodes.

snapshot_download fills the real cache layout ($HF_HOME/hub/models--org--name/{refs,snapshots})
with small placeholder files after a (time-scaled) download delay sized like the real model; it
never touches the network. local_files_only / HF_HUB_OFFLINE behave like the real library.
"""
from .constants import HF_HOME, HF_HUB_CACHE  # noqa: F401
from .errors import (  # noqa: F401
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
)
from ._snapshot import hf_hub_download, scan_cache_dir, snapshot_download, try_to_load_from_cache  # noqa: F401

__version__ = "0.35.3"


def login(token=None, **_kw):
    """No-op: the simulated hub needs no credentials."""
    return None
