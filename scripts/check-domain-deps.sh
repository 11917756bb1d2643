#!/usr/bin/env bash
# Fails when the domain crate depends, directly or transitively, on diesel or
# actix: the domain must stay free of I/O (dependencies point inward).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tree="$(cargo tree -p salesops-domain -e normal --prefix none)"

# Each line starts with the crate name: "name vX.Y.Z [(source)] [(*)]".
offenders="$(printf '%s\n' "$tree" | awk '$1 ~ /^(diesel|actix)/ { print $1 " " $2 }' | sort -u)"

if [[ -n "$offenders" ]]; then
    {
        echo "ERROR: salesops-domain must not depend on diesel or actix, but it pulls in:"
        printf '%s\n' "$offenders" | sed 's/^/  - /'
        echo "Move that code to salesops-persistence or salesops-api."
    } >&2
    exit 1
fi

echo "OK: salesops-domain depends on neither diesel nor actix."
