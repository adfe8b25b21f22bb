"""PyTorch reference for tools/bench/bench-matmul.mjs (which runs this in the same run and passes the cases).

Reads a JSON list of {"label", "a", "b", "transposeA", "transposeB", "repeats"} on stdin and prints a JSON object
{"torch": version, "threads": n, "blas": ..., "ms": {label: median ms}} on stdout. Operands are float32 N(0, 1);
a transposed operand is a transposed view, as torch code writes it (x @ w.T), so BLAS gets it without a copy.
Run with the Debian interpreter: /usr/bin/python3 (torch 1.13.1, OpenBLAS), torch.set_num_threads(1) as in the
training benchmarks (OpenBLAS itself still uses both cores).
"""
import json
import statistics
import sys
import time

import torch


def operand(shape, transposed):
    x = torch.randn(*shape, dtype=torch.float32)
    return x.transpose(-1, -2) if transposed else x


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    cases = json.load(sys.stdin)
    ms = {}
    with torch.no_grad():
        for case in cases:
            a = operand(case["a"], case["transposeA"])
            b = operand(case["b"], case["transposeB"])
            torch.matmul(a, b)  # warm-up
            times = []
            for _ in range(case["repeats"]):
                start = time.perf_counter()
                torch.matmul(a, b)
                times.append((time.perf_counter() - start) * 1000)
            ms[case["label"]] = statistics.median(times)
    blas = "OpenBLAS" if "libopenblas" in open("/proc/self/maps").read() else "reference BLAS (install libopenblas0-pthread)"
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas, "ms": ms}))


if __name__ == "__main__":
    main()
