"""Reading an OpenDocument text back, as the tests (and a reader's office suite) see it."""

import io

from odf import teletype
from odf.opendocument import load
from odf.text import H, P


def odt_text(content: bytes) -> str:
    document = load(io.BytesIO(content))
    elements = document.getElementsByType(H) + document.getElementsByType(P)
    return "\n".join(teletype.extractText(element) for element in elements)
