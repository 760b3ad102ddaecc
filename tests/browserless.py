"""What a browser would post: the fields of a page's form as it shows them (inputs, checked
boxes and radios, selected options, text areas), read from the HTML. Tests then change a
few values and post the rest as they are, as a user does."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self.fields = None
        self.template_depth = 0
        self.select = None  # (name, chosen, first option)
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "form":
            self.fields = []
            self.forms.append(self.fields)
        if self.fields is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = [name, None, None]
        elif tag == "option" and self.select is not None:
            value = attrs.get("value")
            self.option = {"value": value, "text": "", "selected": "selected" in attrs}
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def _end_option(self):
        if self.option is None:
            return
        value = self.option["value"] if self.option["value"] is not None else self.option["text"]
        if self.select[2] is None:
            self.select[2] = value
        if self.option["selected"]:
            self.select[1] = value
        self.option = None

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth -= 1
            return
        if self.template_depth:
            return
        if tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None:
            self._end_option()
            name, chosen, first = self.select
            self.fields.append((name, chosen if chosen is not None else (first or "")))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.fields.append((name, text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.fields = None


def form_data(html: str, index: int = -1) -> dict:
    """The fields of the page's form number `index` (the last by default: the header's
    forms come first) as a dict; a name posted several times gives a list."""
    reader = _FormReader()
    reader.feed(html)
    data: dict = {}
    for name, value in reader.forms[index]:
        if name in data:
            data[name] = (
                [*data[name], value] if isinstance(data[name], list) else [data[name], value]
            )
        else:
            data[name] = value
    return data
