"""`raceledger --version` and `--help` beside `python -c "import click"`: what starting the CLI costs.

Each is a whole process of the same interpreter, run in turn, round after round; the best of
--repeat rounds counts (target, issue 24 point 4: at most 1.5x `import click`).

    python benchmarks/startup.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402

TARGET = 1.5
COMMANDS = {
    "import click": [sys.executable, "-c", "import click"],
    "raceledger --version": [*bench.RACELEDGER, "--version"],
    "raceledger --help": [*bench.RACELEDGER, "--help"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    bench.compile_bytecode()
    runs: dict[str, list[bench.Run]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):
        for name, command in COMMANDS.items():
            runs[name].append(bench.measure(command))
    floor = bench.best(runs["import click"]).wall
    print(f"Machine: {bench.machine()}; best of {args.repeat} interleaved rounds (median beside it)")
    print("| command | best | median | best / import click | target |\n|---|---:|---:|---:|---|")
    for name, found in runs.items():
        best = bench.best(found).wall
        verdict = "" if name == "import click" else f"<= {TARGET}x: {bench.verdict(best / floor <= TARGET)}"
        print(f"| {name} | {best * 1000:.1f} ms | {statistics.median(r.wall for r in found) * 1000:.1f} ms | "
              f"{best / floor:.2f}x | {verdict} |")


if __name__ == "__main__":
    main()
