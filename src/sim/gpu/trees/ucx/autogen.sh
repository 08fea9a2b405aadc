#!/bin/sh
# UCX autogen.sh (pdflow simulator tree): generates ./configure as autoreconf would.
set -e
cd "$(dirname "$0")"
echo "autoreconf: export WARNINGS="
echo "autoreconf: Entering directory '.'"
echo "autoreconf: configure.ac: not using Gettext"
echo "autoreconf: running: aclocal -I config/m4 -I auto"
echo "libtoolize: putting auxiliary files in AC_CONFIG_AUX_DIR, 'config'."
echo "libtoolize: copying file 'config/ltmain.sh'"
echo "autoreconf: running: /usr/bin/autoconf"
echo "autoreconf: running: /usr/bin/autoheader"
echo "autoreconf: running: automake --add-missing --copy --no-force"
echo "configure.ac:34: installing 'config/compile'"
echo "configure.ac:34: installing 'config/missing'"
echo "src/ucs/Makefile.am: installing 'config/depcomp'"
cp contrib/configure.sim configure
chmod +x configure
echo "autoreconf: Leaving directory '.'"
