import os

HF_HOME = os.path.expanduser(os.environ.get("HF_HOME", os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface")))
HF_HUB_CACHE = os.path.expanduser(os.environ.get("HF_HUB_CACHE", os.path.join(HF_HOME, "hub")))
HF_HUB_OFFLINE = os.environ.get("HF_HUB_OFFLINE", "0").upper() in ("1", "ON", "YES", "TRUE")
