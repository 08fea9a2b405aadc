"""torch.nn.attention.flex_attention: the names transformers 4.57's masking code imports (torch >= 2.5).
Masks are built when a model runs, which never happens on the simulated nodes."""
_DEFAULT_SPARSE_BLOCK_SIZE = 128


class BlockMask(object):
    pass


def create_block_mask(mask_mod, B, H, Q_LEN, KV_LEN, device="cuda", BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE, _compile=False):
    raise NotImplementedError("emulated torch: flex attention masks need a model run")
