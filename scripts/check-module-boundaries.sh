#!/usr/bin/env bash
# The use-case layer's boundaries, checked over `use` lines and paths:
# 1. a resource never reaches into another resource's HTTP modules
#    (`handlers`, `commands`, `listing`): it calls that resource's `service`;
# 2. use cases (`app/`, every `service.rs`) know nothing of HTTP: no actix,
#    no `ApiError`, no extractors.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../crates/api/src"

status=0
http_modules='handlers|commands|listing'
for dir in */; do
    resource="${dir%/}"
    [[ "$resource" == app || "$resource" == auth || "$resource" == seed ]] && continue
    # Another resource's HTTP module, named by path anywhere in this resource's files.
    if hits=$(grep -rnE "crate::([a-z_]+::)*[a-z_]+::(${http_modules})\b" "$dir" \
        | grep -vE "crate::${resource}::(${http_modules})\b" | grep -vE '^[^:]+:[0-9]+:\s*//'); then
        echo "ERROR: ${resource} reaches into another resource's HTTP module; call its service instead:" >&2
        echo "$hits" >&2
        status=1
    fi
done

use_case_files=$(find . -path ./app -prune -o -name service.rs -print; find ./app -name '*.rs')
if hits=$(grep -nE 'actix_web|ApiError|crate::(error|extract|auth|etag)::|HttpResponse' $use_case_files \
    | grep -vE '^[^:]+:[0-9]+:\s*//'); then
    echo "ERROR: use cases must not know HTTP (actix, ApiError, extractors):" >&2
    echo "$hits" >&2
    status=1
fi

if [[ $status -eq 0 ]]; then
    echo "Module boundaries hold: no resource imports another's handlers, and use cases know no HTTP."
fi
exit $status
