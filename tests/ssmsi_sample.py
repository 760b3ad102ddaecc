"""Files in the format of the SSMSI communal base, written independently of the reader
(`actions.ssmsi`), for the tests and the benchmark."""

import csv

HEADER = [
    "annee",
    "indicateur",
    "unite_de_compte",
    "nombre",
    "taux_pour_mille",
    "est_diffuse",
    "insee_pop",
    "insee_pop_millesime",
]


def write_rows(handle, rows, code_column="CODGEO_2025"):
    """Writes the header and `rows`, tuples (code, year, indicator, count or None, rate or
    None); a None count is not published (`NA`, `ndiff`), rates take a decimal comma."""
    writer = csv.writer(handle, delimiter=";", lineterminator="\n")
    writer.writerow([code_column, *HEADER])
    for code, year, label, count, rate in rows:
        writer.writerow(
            [
                code,
                year,
                label,
                "Infraction",
                "NA" if count is None else count,
                "NA" if rate is None else str(rate).replace(".", ","),
                "ndiff" if count is None else "diff",
                "158454",
                "2022",
            ]
        )
