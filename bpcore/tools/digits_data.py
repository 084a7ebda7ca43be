"""Write ``bpcore/data/digits.npz`` from scikit-learn's copy of the 8x8 digits (``load_digits``).

Command line (needs scikit-learn; the book does not)::

    python -m bpcore.tools.digits_data

The file holds ``images`` (1797, 64) uint8 pixels 0..16 and ``target`` (1797,) uint8 labels, compressed
(about 60 kB), so :func:`bpcore.datasets.digits` works where scikit-learn does not (Pyodide).
``tests/test_engine_datasets.py`` checks that the shipped file equals ``load_digits()``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from bpcore.datasets import DIGITS_FILE


def digits_arrays() -> dict[str, np.ndarray]:
    """scikit-learn's digits as the arrays the file stores (exact: every pixel is an integer 0..16)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    images = data.data
    if not np.array_equal(images, np.round(images)) or images.min() < 0 or images.max() > 16:
        raise ValueError("load_digits() no longer gives integer pixels 0..16: the uint8 file would not be exact")
    return {"images": images.astype(np.uint8), "target": data.target.astype(np.uint8)}


def write_digits(path: Path = DIGITS_FILE) -> Path:
    """Write the compressed ``.npz`` to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = digits_arrays()
    np.savez_compressed(path, images=arrays["images"], target=arrays["target"])
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        print("usage: python -m bpcore.tools.digits_data", file=sys.stderr)
        return 2
    path = write_digits()
    print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
