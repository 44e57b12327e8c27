#!/usr/bin/env bash
# Builds the DocC documentation of the Switchboard and SwitchboardCore modules with
# swift-docc-plugin, failing on any documentation warning (an unresolved link, a missing
# article). Archives: .build/docs/<Module>.doccarchive.
# Preview one in a browser: swift package --disable-sandbox preview-documentation --target Switchboard
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build/docs
for target in Switchboard SwitchboardCore; do
    echo "== $target"
    swift package --allow-writing-to-directory .build/docs generate-documentation \
        --target "$target" \
        --output-path ".build/docs/$target.doccarchive" \
        --warnings-as-errors
done
echo "documentation built in .build/docs"
