#!/usr/bin/env python3
"""Times polars and pandas reading the CSV benchmark files (bench/csv-load.sh runs it).

    python3 bench/csv_peers.py FILE... > peers.json

Each library reads each file `--repeat` times (default 3) after one warm-up read (the file is then
in the page cache, as it is for Descent's timing); prints one JSON object with every time in
seconds. polars uses all cores (its default); pandas uses its default C engine (one thread), as a
user's `pd.read_csv(path)` does.
"""
import json
import os
import sys
import time


def timed(read, path, repeat):
    read(path)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        read(path)
        times.append(time.perf_counter() - start)
    return times


def main():
    args = sys.argv[1:]
    repeat = 3
    if args and args[0] == "--repeat":
        repeat = int(args[1])
        args = args[2:]
    import pandas
    import polars
    readers = {
        f"polars {polars.__version__}": lambda p: polars.read_csv(p),
        f"pandas {pandas.__version__}": lambda p: pandas.read_csv(p),
    }
    result = {}
    for path in args:
        result[os.path.basename(path)] = {
            "bytes": os.path.getsize(path),
            **{name: timed(read, path, repeat) for name, read in readers.items()},
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
