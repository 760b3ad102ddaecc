"""Benchmark: read one commune out of an SSMSI communal base the size of the real one.

The real file has about 35,000 communes × 18 indicators × 9 years (≈ 5.7 million rows, a few
hundred megabytes). This writes a file of the same shape (ROWS rows, 1 in 1,000 for the
commune read, suppressed counts included), then times `actions.ssmsi.read_commune` over it
and prints the peak memory Python allocated while reading; then does the same with a file of
the same size without a single line break, which must be refused with flat memory. Prints
figures; asserts nothing.
Run with `make bench`.
"""

import os
import random
import tempfile
import time
import tracemalloc

from tests.ssmsi_sample import write_rows

ROWS = int(os.environ.get("SSMSI_BENCH_ROWS", "2000000"))
LABELS = [f"Indicateur {n}" for n in range(18)]


def sample_rows(rows):
    rng = random.Random(1)
    for n in range(rows):
        code = "38185" if n % 1000 == 0 else f"{10000 + n % 35000:05d}"
        count = rng.randint(0, 900)
        published = count >= 5  # small counts are not published
        yield (
            code,
            2016 + n % 9,
            LABELS[n % 18],
            count if published else None,
            round(count / 158.454, 6) if published else None,
        )


def write_file(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        write_rows(handle, sample_rows(rows))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from actions.ssmsi import SsmsiError, read_commune

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ssmsi.csv")
        started = time.perf_counter()
        write_file(path, ROWS)
        size = os.path.getsize(path) / 1e6
        print(
            f"SSMSI : fichier de {ROWS:,} lignes ({size:.0f} Mo) écrit en "
            f"{time.perf_counter() - started:.1f} s"
        )
        tracemalloc.start()
        started = time.perf_counter()
        with open(path, "rb") as upload:
            series = read_commune(upload, "38185")
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        values = sum(len(s.years) for s in series.values())
        print(
            f"SSMSI : une commune lue en {elapsed:.1f} s ({ROWS / elapsed:,.0f} lignes/s), "
            f"{len(series)} indicateurs, {values} valeurs ; pic de mémoire Python "
            f"{peak / 1e6:.1f} Mo"
        )

        # The same size without a single line break: refused at its first line, memory flat.
        with open(path, "wb") as handle:
            handle.write(b"CODGEO_2025;annee;indicateur;nombre;est_diffuse")
            for _ in range(int(size)):
                handle.write(b";38185" * 166_667)  # a megabyte
        tracemalloc.start()
        started = time.perf_counter()
        try:
            with open(path, "rb") as upload:
                read_commune(upload, "38185")
        except SsmsiError:
            outcome = "refusé"
        else:
            outcome = "LU (anomalie)"
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"SSMSI : fichier de {size:.0f} Mo sans retour à la ligne {outcome} en "
            f"{elapsed * 1000:.0f} ms ; pic de mémoire Python {peak / 1e6:.1f} Mo"
        )


if __name__ == "__main__":
    main()
