# The training workloads of BENCHMARKS.md, as workload:optimizer:batch:threads items, for the
# runners that take them (sourced by run-training.sh and run-before-after.sh).
DEFAULT_WORKLOADS=""
for threads in 2 1; do
    for batch in 1 32 128 1024; do for opt in sgd adam; do DEFAULT_WORKLOADS+=" mlp:$opt:$batch:$threads"; done; done
    DEFAULT_WORKLOADS+=" logistic:sgd:1:$threads logistic:adam:1:$threads linear:sgd:256:$threads"
done
