"""vllm.utils: the helpers Ray Serve LLM calls."""
import socket
import uuid


def random_uuid():
    return str(uuid.uuid4().hex)


def get_open_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def get_ip():
    """The address this host uses towards the outside (vLLM: VLLM_HOST_IP, else a UDP probe);
    on a Ray worker, Ray's node address."""
    import os

    if os.environ.get("VLLM_HOST_IP"):
        return os.environ["VLLM_HOST_IP"]
    try:
        import ray

        if ray.is_initialized():
            return ray.util.get_node_ip_address()
    except Exception:  # noqa: BLE001
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("8.8.8.8", 80))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"
