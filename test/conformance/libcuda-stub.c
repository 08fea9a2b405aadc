/* libcuda.so.1 for the NIXL conformance test on a machine without a GPU driver: the real nixl
 * wheel's UCX plugin links the CUDA driver API (these symbols); every call answers
 * CUDA_ERROR_NO_DEVICE (100), so only host memory (DRAM) is used. Built by scripts/bootstrap.sh. */
typedef int CUresult;
#define NO_DEVICE 100
CUresult cuCtxGetCurrent(void **ctx) { if (ctx) *ctx = 0; return NO_DEVICE; }
CUresult cuCtxPopCurrent_v2(void **ctx) { if (ctx) *ctx = 0; return NO_DEVICE; }
CUresult cuCtxPushCurrent_v2(void *ctx) { (void)ctx; return NO_DEVICE; }
CUresult cuCtxSetCurrent(void *ctx) { (void)ctx; return NO_DEVICE; }
CUresult cuDeviceGet(int *dev, int ordinal) { (void)ordinal; if (dev) *dev = 0; return NO_DEVICE; }
CUresult cuDevicePrimaryCtxRelease_v2(int dev) { (void)dev; return NO_DEVICE; }
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) { (void)dev; if (ctx) *ctx = 0; return NO_DEVICE; }
CUresult cuPointerGetAttributes(unsigned n, void *attrs, void **data, unsigned long long ptr) { (void)n; (void)attrs; (void)data; (void)ptr; return NO_DEVICE; }
CUresult cuInit(unsigned flags) { (void)flags; return NO_DEVICE; }
CUresult cuDriverGetVersion(int *v) { if (v) *v = 0; return NO_DEVICE; }
CUresult cuDeviceGetCount(int *n) { if (n) *n = 0; return NO_DEVICE; }
