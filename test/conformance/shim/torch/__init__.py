"""Import shim for torch, for test/conformance only: the real nixl._api imports torch at its top
(PyPI's torch is a multi-GB CUDA build) and checks isinstance(x, torch.Tensor) on descriptor
lists; the conformance test passes no tensors, so a Tensor class nothing is an instance of is all
it needs. Never on a node: there the real torch is installed."""


class Tensor(object):
    pass
