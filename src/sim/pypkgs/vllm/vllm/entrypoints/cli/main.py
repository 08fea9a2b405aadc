"""The `vllm` command of the emulated vLLM: `vllm --version` and `vllm bench serve`."""
import sys

USAGE = """usage: vllm [-h] [-v] {chat,complete,serve,bench,collect-env,run-batch} ...

vLLM CLI (pdflow simulator: only `bench serve` and `--version` are emulated)
"""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    if argv[0] in ("-v", "--version"):
        from vllm.version import __version__

        print(__version__)
        return 0
    if argv[0] == "bench":
        if len(argv) < 2 or argv[1] not in ("serve",):
            sys.stderr.write("usage: vllm bench {serve} ...\n(pdflow simulator: only `vllm bench serve` is emulated)\n")
            return 2
        from vllm.benchmarks import serve

        return serve.main(argv[2:])
    sys.stderr.write("vllm %s: not available on a pdflow simulated node (only `bench serve` is emulated; "
                     "deployments go through Ray Serve LLM)\n" % argv[0])
    return 2


if __name__ == "__main__":
    sys.exit(main())
