/* pdflow simulator tree: the smallest real shared library standing in for one UCX library, so
 * what links against this UCX (NIXL's UCX plugin) really needs it at run time (ldd shows it). */
const char *STUB_SYMBOL(void) { return STUB_VERSION; }
