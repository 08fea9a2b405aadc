"""Emulated ray.serve.llm (Ray 2.51): LLMConfig and the OpenAI app builders. The builders return
an Application that the emulated serve.run deploys (see ray.serve._sim)."""
from ..application import Application

ACCELERATORS = ["V100", "P100", "T4", "P4", "K80", "A10G", "L4", "L40S", "A100", "H100", "H200", "H20", "B200",
                "A100-40G", "A100-80G"]
_FIELDS = {"model_loading_config", "engine_kwargs", "deployment_config", "placement_group_config",
           "experimental_configs", "runtime_env", "accelerator_type", "llm_engine", "lora_config",
           "log_engine_metrics", "callback_config", "server_cls"}


class ValidationError(ValueError):
    """pydantic's ValidationError stand-in."""


class ModelLoadingConfig(object):
    def __init__(self, model_id, model_source=None, **extra):
        if extra:
            raise ValidationError("1 validation error for ModelLoadingConfig\n%s\n  Extra inputs are not permitted" % sorted(extra)[0])
        if not isinstance(model_id, str) or not model_id:
            raise ValidationError("1 validation error for ModelLoadingConfig\nmodel_id\n  Field required")
        self.model_id = model_id
        self.model_source = model_source or model_id

    def model_dump(self):
        return {"model_id": self.model_id, "model_source": self.model_source}


def _dict(value, name):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError("1 validation error for LLMConfig\n%s\n  Input should be a valid dictionary" % name)
    return dict(value)


class LLMConfig(object):
    def __init__(self, **kwargs):
        extra = sorted(set(kwargs) - _FIELDS)
        if extra:
            raise ValidationError("1 validation error for LLMConfig\n%s\n  Extra inputs are not permitted" % extra[0])
        mlc = kwargs.get("model_loading_config")
        if mlc is None:
            raise ValidationError("1 validation error for LLMConfig\nmodel_loading_config\n  Field required")
        self.model_loading_config = mlc if isinstance(mlc, ModelLoadingConfig) else ModelLoadingConfig(**mlc)
        self.engine_kwargs = _dict(kwargs.get("engine_kwargs"), "engine_kwargs")
        self.deployment_config = _dict(kwargs.get("deployment_config"), "deployment_config")
        self.placement_group_config = _dict(kwargs.get("placement_group_config"), "placement_group_config")
        self.experimental_configs = _dict(kwargs.get("experimental_configs"), "experimental_configs")
        self.runtime_env = _dict(kwargs.get("runtime_env"), "runtime_env")
        self.accelerator_type = kwargs.get("accelerator_type")
        if self.accelerator_type is not None and self.accelerator_type not in ACCELERATORS:
            raise ValidationError("1 validation error for LLMConfig\naccelerator_type\n  Value error, Unsupported accelerator "
                                  "type: %s" % self.accelerator_type)
        self.llm_engine = kwargs.get("llm_engine", "VLLM")
        tp = self.engine_kwargs.get("tensor_parallel_size", 1)
        if not isinstance(tp, int) or tp < 1:
            raise ValidationError("1 validation error for LLMConfig\nengine_kwargs.tensor_parallel_size\n  must be a positive integer")
        bundles = self.placement_group_config.get("bundles")
        if bundles is not None:
            if not isinstance(bundles, list) or not all(isinstance(b, dict) for b in bundles):
                raise ValidationError("1 validation error for LLMConfig\nplacement_group_config.bundles\n  Input should be a list of dicts")
            gpus = sum(float(b.get("GPU", 0)) for b in bundles)
            if gpus and gpus != tp:
                raise ValueError("placement_group_config asks for %g GPUs but tensor_parallel_size is %d" % (gpus, tp))

    @property
    def model_id(self):
        return self.model_loading_config.model_id

    @property
    def model_source(self):
        return self.model_loading_config.model_source

    def model_dump(self):
        return {"model_loading_config": self.model_loading_config.model_dump(), "engine_kwargs": self.engine_kwargs,
                "deployment_config": self.deployment_config, "placement_group_config": self.placement_group_config,
                "experimental_configs": self.experimental_configs, "runtime_env": self.runtime_env,
                "accelerator_type": self.accelerator_type, "llm_engine": self.llm_engine}


class LLMServingArgs(object):
    def __init__(self, llm_configs, ingress_deployment_config=None, **_):
        self.llm_configs = [c if isinstance(c, LLMConfig) else LLMConfig(**c) for c in llm_configs]
        self.ingress_deployment_config = ingress_deployment_config or {}


def build_openai_app(llm_serving_args):
    args = llm_serving_args if isinstance(llm_serving_args, LLMServingArgs) else LLMServingArgs(**llm_serving_args)
    if not args.llm_configs:
        raise ValueError("llm_configs must not be empty")
    return Application("openai", [("llm", c) for c in args.llm_configs], {"ingress": args.ingress_deployment_config})


def build_llm_deployment(llm_config, **_):
    return Application("openai", [("llm", llm_config)], {})


def build_pd_openai_app(pd_serving_args):
    args = dict(pd_serving_args)
    cfgs = {}
    for role in ("prefill", "decode"):
        c = args.get("%s_config" % role)
        if c is None:
            raise ValueError("%s_config is required" % role)
        c = c if isinstance(c, LLMConfig) else LLMConfig(**c)
        kv = c.engine_kwargs.get("kv_transfer_config")
        if not kv:
            raise ValueError("%s_config.engine_kwargs.kv_transfer_config is required for prefill/decode disaggregation" % role)
        if kv.get("kv_connector") != "NixlConnector":
            raise ValueError("kv_connector %r is not supported in this simulator (use NixlConnector)" % kv.get("kv_connector"))
        cfgs[role] = c
    if cfgs["prefill"].model_id != cfgs["decode"].model_id:
        raise ValueError("prefill and decode configs must serve the same model_id")
    return Application("pd", [("prefill", cfgs["prefill"]), ("decode", cfgs["decode"])],
                       {"proxy": args.get("proxy_deployment_config") or {},
                        "ingress": args.get("ingress_deployment_config") or {}})


__all__ = ["LLMConfig", "LLMServingArgs", "ModelLoadingConfig", "build_openai_app", "build_pd_openai_app",
           "build_llm_deployment"]
