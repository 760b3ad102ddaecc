"""Helpers of the API's tests: the JSON Schemas of tests/oparl/schema/ (written from the OParl
1.1 specification) with strict formats, and a crawler that follows every URL of the API's
answers."""

import datetime
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).parent / "schema"
API = "/oparl/v1/"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# jsonschema checks no format without optional packages: these are ours, and strict.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    return bool(RFC3339.match(value)) and bool(datetime.datetime.fromisoformat(value))


@FORMATS.checks("date", raises=ValueError)
def _date(value):
    if not isinstance(value, str):
        return True
    return len(value) == 10 and bool(datetime.date.fromisoformat(value))


@FORMATS.checks("uri")
def _uri(value):
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        contents = json.loads(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validator(name: str) -> Draft202012Validator:
    schema = REGISTRY.contents(f"https://registre.test/oparl/{name}.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FORMATS)


def schema_errors(name: str, instance) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(instance)
    ]


def type_name(obj: dict) -> str:
    return obj["type"].rsplit("/", 1)[-1]


def api_urls(value):
    """Every URL of the API in a JSON value."""
    if isinstance(value, dict):
        for item in value.values():
            yield from api_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from api_urls(item)
    elif isinstance(value, str) and value.startswith("http://testserver" + API):
        yield value


def crawl(client, start=API, limit=None) -> dict:
    """Follow every URL of the API found in the answers, from `start`: {url: answer}."""
    seen, queue = {}, [start]
    while queue:
        url = queue.pop()
        path = url.removeprefix("http://testserver")
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response
        if response.status_code == 200:
            queue.extend(u for u in api_urls(response.json()) if u not in seen)
        if limit and len(seen) >= limit:
            break
    return seen


@pytest.fixture
def api(client):
    """An anonymous client."""
    client.logout()
    return client
