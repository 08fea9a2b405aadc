import os

from huggingface_hub import constants

TRANSFORMERS_CACHE = constants.HF_HUB_CACHE


def cached_file(name_or_path, filename, missing_ok=False):
    """A file of a local folder or of the model's snapshot in the HF cache (no download, as with
    HF_HUB_OFFLINE=1); OSError naming the model and the cache otherwise."""
    if os.path.isdir(name_or_path):
        path = os.path.join(name_or_path, filename)
        if os.path.isfile(path) or missing_ok:
            return path
        raise OSError("%s does not appear to have a file named %s." % (name_or_path, filename))
    from huggingface_hub import try_to_load_from_cache

    path = try_to_load_from_cache(name_or_path, filename)
    if isinstance(path, str) and os.path.isfile(path):
        return path
    if missing_ok:
        return None
    raise OSError("We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find them in the cached "
                  "files (%s, %s under HF_HOME=%s)." % (name_or_path, filename, os.environ.get("HF_HOME", "~/.cache/huggingface")))
