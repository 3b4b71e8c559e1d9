#!/usr/bin/env bash
# Regenerates the gallery: runs the built `descent` to write the SVGs under docs/gallery/ and
# docs/gallery/README.md, which lists each picture with the command that made it.
#
#   scripts/gallery/generate.sh                  # builds descent (debug) first
#   DESCENT=/path/to/descent scripts/gallery/generate.sh
#
# To add a picture, add one `picture` line to a section below.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${DESCENT:-}" ]; then
    swift build --product descent >&2
    DESCENT="$(swift build --show-bin-path)/descent"
fi
out=docs/gallery
mkdir -p "$out"
readme="$out/README.md"
# Folders `descent compare` writes compare.html into; not kept.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# Arguments passed to descent but not shown in the README (set per section).
hidden=()

cat > "$readme" <<'HEADER'
# Gallery

Pictures made by `descent` itself; `scripts/gallery/generate.sh` regenerates every one of them
(and this page). Each is a plain SVG file: open it in any browser. The animated ones play there
too (SMIL, no JavaScript); viewers that do not animate show the finished picture.
HEADER

# section TITLE: starts a section of the README.
section() {
    printf '\n## %s\n' "$1" >> "$readme"
}

# picture FILE "caption" descent-arguments...: runs `descent ARGUMENTS --plot docs/gallery/FILE`
# (the printed table is not kept) and adds the picture, its caption and its command to the README.
picture() {
    local file="$1" caption="$2"
    shift 2
    # The printed table is not kept; a diverging run's message on standard error is expected.
    "$DESCENT" "$@" ${hidden[@]+"${hidden[@]}"} --plot "$out/$file" > /dev/null 2> "$scratch/err" || { cat "$scratch/err" >&2; exit 1; }
    local size
    size=$(wc -c < "$out/$file")
    if [ "$size" -gt 300000 ]; then echo "$file is $size bytes; keep gallery pictures under 300 KB" >&2; exit 1; fi
    local command="descent"
    for argument in "$@"; do
        case "$argument" in
            *[[:space:]\(\)\"]*|'') command+=" \"$argument\"" ;;
            *) command+=" $argument" ;;
        esac
    done
    command+=" --plot $file"
    printf '\n### %s\n\n![%s](%s)\n\n```sh\n%s\n```\n' "$caption" "$caption" "$file" "$command" >> "$readme"
    echo "wrote $out/$file ($size bytes)" >&2
}

section "Gradient descent on w⁴ − 3w³ + 2 (the seed's 1-D example)"
picture quartic-small-lr.svg "A small learning rate: from w = 6, plain SGD with η = 0.01 settles into the minimum at w = 9/4" \
    optimize --function quartic --start 6 --optimizer "sgd(lr: 0.01)" --steps 60
picture quartic-too-big-lr.svg "Too big: η = 0.012 jumps over the minimum and stalls on the flat part near w = 0; η = 0.02 diverges" \
    optimize --function quartic --start 6 --optimizer "sgd(lr: 0.012)" --optimizer "sgd(lr: 0.02)" --steps 40

section "Optimizers racing on Rosenbrock's valley"
picture rosenbrock-race.svg "SGD, SGD with momentum, Adam and RMSprop from (−1.2, 1), 300 steps" \
    optimize --function rosenbrock --start -1.2,1 --optimizer "sgd(lr: 0.002)" --optimizer "sgd(lr: 0.0005, momentum: 0.95)" \
    --optimizer "adam(lr: 0.3)" --optimizer "rmsprop(lr: 0.05)" --steps 300
picture rosenbrock-race-animated.svg "The same race, animated: the paths grow step by step" \
    optimize --function rosenbrock --start -1.2,1 --optimizer "sgd(lr: 0.002)" --optimizer "sgd(lr: 0.0005, momentum: 0.95)" \
    --optimizer "adam(lr: 0.3)" --optimizer "rmsprop(lr: 0.05)" --steps 300 --animate

section "Learning-rate schedules"
picture one-cycle.svg "One-cycle: the learning rate warms up to its peak and anneals while the momentum does the opposite" \
    schedule --schedule "one-cycle(maxLearningRate: 0.1, totalSteps: 100)" --lr 0.1 --steps 100 --momentum 0.9

section "Training: batch size, learning rate, and the learning-rate finder"
hidden=(--output "$scratch/compare" --quiet)
picture compare-batch-sizes.svg "Stochastic (batch size 1), mini-batch (32) and batch (full) gradient descent on two moons: per epoch, smaller batches take more steps and get further; per second, the gap narrows (each step has a cost)" \
    compare --data builtin:moons --batch-sizes 1,32,full --epochs 10
picture compare-learning-rates.svg "Linear regression by SGD: η = 0.001 is too small, η = 0.1 converges, η = 3 overshoots and diverges (its curve leaves the chart and ends with a dot)" \
    compare --data builtin:linear --model linear --optimizer sgd --learning-rates 0.001,0.1,3 --epochs 10
hidden=()
picture lr-finder.svg "The learning-rate finder on three spirals (Adam, MLP 64-64): the loss against a growing rate, with fastai's valley, steep and minimum suggestions" \
    lr-find --data builtin:spirals --model "mlp(64, 64)" --optimizer adam
