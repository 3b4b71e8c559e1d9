#!/usr/bin/env bash
# Screenshots of `descent playground`'s two views for docs/gallery (PNG, from headless Chromium's
# --screenshot), and docs/gallery/playground.md, which lists each with the link that opened it.
#
#   scripts/gallery/playground.sh                  # builds descent (debug) first
#   DESCENT=/path/to/descent DESCENT_CHROMIUM=/path/to/chromium scripts/gallery/playground.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${DESCENT:-}" ]; then
    swift build --product descent >&2
    DESCENT="$(swift build --show-bin-path)/descent"
fi
CHROMIUM="${DESCENT_CHROMIUM:-chromium}"
out=docs/gallery
scratch="$(mktemp -d)"
"$DESCENT" playground --port 0 > "$scratch/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 100); do grep -q "http://" "$scratch/server.log" && break; sleep 0.1; done
address="$(grep -o 'http://[^ ]*' "$scratch/server.log")"

# shoot NAME SECONDS HASH: opens ADDRESS#HASH, lets it run SECONDS (of the page's virtual time), saves NAME.png.
shoot() {
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 --no-first-run \
        --user-data-dir="$scratch/profile-$1" --window-size=1300,1020 --virtual-time-budget="$(( $2 * 1000 ))" \
        --screenshot="$out/$1.png" "$address#$3" 2>/dev/null
}
landscape='view=landscape&fn=rosenbrock&start=-1.5,2&steps=1000&opt=sgd(lr:%200.001)&opt=sgd(lr:%200.001,%20momentum:%200.9)&opt=adam(lr:%200.05)&at=400&lesson=momentum'
network='view=network&data=moons&count=300&noise=0.2&split=0.2&layers=2&width=8&activation=tanh&optimizer=sgd&lr=0.1&batch=full&epochs=30&seed=0&speed=600&axis=epochs&compare=batch=1%20|%20batch=16&run=1&lesson=batch'
shoot playground-landscape 4 "$landscape"
shoot playground-network 10 "$network"

cat > "$out/playground.md" <<MARKDOWN
# The playground

Screenshots of \`descent playground\` in headless Chromium; \`scripts/gallery/playground.sh\` makes them
(it starts the server on a free port and opens each link below with \`chromium --screenshot\`).

## Landscape: momentum on Rosenbrock's ravine, paused at step 400

![SGD, SGD with momentum and Adam racing on Rosenbrock's valley](playground-landscape.png)

\`http://127.0.0.1:PORT/#${landscape}\`

## Network: batch, stochastic and mini-batch gradient descent on the moons

![Decision regions, batch and full loss for batch sizes full, 1 and 16](playground-network.png)

\`http://127.0.0.1:PORT/#${network}\`
MARKDOWN
echo "wrote $out/playground-landscape.png, $out/playground-network.png and $out/playground.md" >&2
