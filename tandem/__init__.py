"""Tandem's kernel: settings, database, logging, i18n, the composition root and the CLI."""

import os

# numpy's BLAS would start one thread per core for every matrix product. A chat server already
# runs many turns at once on few cores, so extra BLAS threads only fight the request threads
# (measured: a 10k-chunk cosine took 26 ms threaded vs 6 ms single-threaded on a busy 2-core
# machine). Set before numpy loads; an explicit environment value wins.
for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
