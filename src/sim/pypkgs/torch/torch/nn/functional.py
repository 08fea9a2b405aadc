"""torch.nn.functional of the emulated torch: imported by transformers' masking code (as F); no
function of it runs on the simulated nodes (no model does)."""
