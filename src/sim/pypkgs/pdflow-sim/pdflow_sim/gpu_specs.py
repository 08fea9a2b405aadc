"""Public specs of the GPUs the performance model knows, looked up by the name nvidia-smi prints.

Only what the model uses: HBM bandwidth (decode steps read the weights and the KV cache), memory
(the KV cache pool), dense BF16 FLOP/s (prefill). Numbers from NVIDIA's datasheets (dense, no
sparsity). The model is calibrated on H100 SXM; any other GPU scales from it by these ratios.
"""

# key: (bandwidth bytes/s, memory MiB as nvidia-smi reports it, dense BF16 FLOP/s)
GPUS = {
    "H100-SXM": {"name": "NVIDIA H100 80GB HBM3", "hbm_bytes_s": 3.35e12, "memory_mib": 81559, "bf16_flops": 989e12},
    "H100-NVL": {"name": "NVIDIA H100 NVL", "hbm_bytes_s": 3.9e12, "memory_mib": 95830, "bf16_flops": 835e12},
    "H100-PCIe": {"name": "NVIDIA H100 PCIe", "hbm_bytes_s": 2.0e12, "memory_mib": 81559, "bf16_flops": 756e12},
    "H200": {"name": "NVIDIA H200", "hbm_bytes_s": 4.8e12, "memory_mib": 143771, "bf16_flops": 989e12},
}
DEFAULT_GPU = "H100-SXM"


def gpu_key(model_name):
    """The GPUS key for a GPU name ("NVIDIA H100 80GB HBM3", "NVIDIA H200", "H200", ...); None when unknown."""
    n = str(model_name or "").upper().replace("-", " ")
    if "H200" in n:
        return "H200"
    if "H100" in n:
        if "NVL" in n or "94GB" in n:
            return "H100-NVL"
        if "PCIE" in n:
            return "H100-PCIe"
        return "H100-SXM"
    return None


def gpu_spec(model_name=None):
    """The spec dict (with "key" and "known") of a GPU name; unknown or missing names get the H100 SXM
    defaults the model was calibrated on, with known False."""
    key = gpu_key(model_name)
    spec = dict(GPUS[key or DEFAULT_GPU])
    spec["key"] = key or DEFAULT_GPU
    spec["known"] = key is not None or not model_name
    return spec
