"""`hf download REPO [--revision R] [--local-dir D]` (also as `huggingface-cli download`)."""
import argparse
import sys

from . import snapshot_download


def main(argv=None):
    p = argparse.ArgumentParser(prog="hf")
    sub = p.add_subparsers(dest="cmd")
    d = sub.add_parser("download")
    d.add_argument("repo_id")
    d.add_argument("--revision")
    d.add_argument("--local-dir")
    d.add_argument("--cache-dir")
    args = p.parse_args(argv)
    if args.cmd != "download":
        p.print_help()
        return 2
    print(snapshot_download(args.repo_id, revision=args.revision, local_dir=args.local_dir, cache_dir=args.cache_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
