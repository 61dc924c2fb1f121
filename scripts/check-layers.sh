#!/usr/bin/env bash
# Layers point one way (docs/ARCHITECTURE.md): a file may include the public headers
# (include/sipbeat/) and the private headers of its own layer and the layers below it, never one
# above. Run by `make check`; prints each offending include and fails.
#   base <- sip <- transport <- txn <- ua (dialog, timer) <- engine
#   net and app use the public API; app may also use base's utilities (histogram).
set -euo pipefail
cd "$(dirname "$0")/.."
allowed() { # the include prefixes each source folder may use
    case $1 in
    base) echo "base" ;;
    sip) echo "base sip" ;;
    transport) echo "base sip transport" ;;
    txn) echo "base sip transport txn" ;;
    dialog | timer) echo "base sip transport txn dialog timer" ;;
    engine) echo "base sip transport txn dialog timer engine" ;;
    net) echo "net" ;;
    app) echo "base net app" ;;
    *) echo "" ;;
    esac
}
bad=0
for f in $(git ls-files 'src/*.c' 'src/*.h'); do
    layer=$(echo "$f" | cut -d/ -f2)
    ok=" $(allowed "$layer") sipbeat "
    while IFS= read -r line; do
        inc=${line#*\"}
        prefix=${inc%%/*}
        [ "$prefix" = "$inc" ] && continue # a header of the same folder, by bare name
        case "$ok" in
        *" $prefix "*) ;;
        *)
            echo "$f: includes \"$inc\", a header of a layer above $layer" >&2
            bad=1
            ;;
        esac
    done < <(grep -E '^#include "' "$f" | sed 's/^#include "\([^"]*\)".*/#include "\1/')
done
[ $bad = 0 ] && echo "layers: no include points up"
exit $bad
