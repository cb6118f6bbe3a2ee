"""Users read Indonesian: the catalogue is complete and the compiled file matches it."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def entries():
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        strings = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
            if match:
                key = match.group(1).replace("[0]", "")
                strings[key] = match.group(2)
            elif line.startswith('"') and key:
                strings[key] += line[1:-1]
        if "msgid" in strings:
            yield strings["msgid"], strings.get("msgstr", ""), flags


def test_every_message_has_an_indonesian_translation():
    untranslated = [msgid for msgid, msgstr, flags in entries() if not msgstr or "fuzzy" in flags]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    compiled = gettext.GNUTranslations(MO.open("rb"))
    stale = []
    for msgid, msgstr, _ in entries():
        unescaped = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        expected = msgstr.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if compiled.gettext(unescaped) != expected and compiled.ngettext(unescaped, unescaped, 1) != expected:
            stale.append(msgid)
    assert stale == [], "run `make messages`"
