"""UI catalogues: one file per language, the same keys and fields in each, every key a template or view asks for
present, a missing key fails, a catalogue edit shows on a rendered page, babel formatting."""
from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest

from parplan.report import fmt, i18n, layout

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "parplan"


def fields(text: object) -> set[str]:
    """The {fields} of a catalogue text."""
    if not isinstance(text, str):
        return set()
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_languages_are_the_catalogue_files_default_first():
    files = sorted(p.stem for p in i18n.LOCALES.glob("*.yaml"))
    assert set(i18n.languages()) == set(files) and len(files) >= 2
    assert i18n.languages()[0] == "vi" and i18n.default_language() == "vi"


def test_every_language_has_the_same_keys():
    langs = i18n.languages()
    base = i18n.catalogue(langs[0])
    for lang in langs[1:]:
        other = i18n.catalogue(lang)
        assert set(base) == set(other), (lang, sorted(set(base) ^ set(other))[:20])
        # the fields ({name}) may differ: the code fills every field any language uses ('UBND {unit} {name}' vs
        # '{name}', '{rank}' vs '{kth}'), and the pages of every language are rendered by the tests
        for k in base:
            for f in fields(base[k]) | fields(other[k]):
                assert f.isidentifier(), (lang, k, f)  # a field is a name the code passes, never an expression


def test_catalogue_texts_are_nfc_and_not_empty():
    import unicodedata

    for lang in i18n.languages():
        raw = (i18n.LOCALES / f"{lang}.yaml").read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", raw) == raw, lang
        for k, v in i18n.catalogue(lang).items():
            assert v not in (None, ""), (lang, k)


def literal_keys() -> set[tuple[str, str]]:
    """Every catalogue key written literally in the templates (t("...")) and in the package's code
    (i18n.t("...", ...), _t("..."), t("...")): (where, key)."""
    out = set()
    pattern = re.compile(r"""(?<![\w.])(?:i18n\.t|_t|t)\(\s*["']([a-z][a-z0-9_\-]*(?:\.[a-z0-9_\-]+)+)["']""")
    for p in list((PACKAGE / "report" / "templates").rglob("*.j2")) + list(PACKAGE.rglob("*.py")):
        for m in pattern.finditer(p.read_text(encoding="utf-8")):
            out.add((str(p.relative_to(REPO)), m.group(1)))
    return out


def test_every_key_written_in_a_template_or_in_code_is_in_every_catalogue():
    keys = literal_keys()
    assert len(keys) > 30  # the scan finds the keys (a broken pattern would pass vacuously)
    for lang in i18n.languages():
        have = i18n.keys(lang)
        # a key built in a template ("index.files_" ~ status) is checked as a prefix some key has
        missing = sorted((w, k) for w, k in keys if (k not in have if not k.endswith(("_", "."))
                                                     else not any(h.startswith(k) for h in have)))
        assert not missing, (lang, missing[:20])


def test_missing_key_raises_in_both_languages():
    with pytest.raises(i18n.MissingKey) as e:
        i18n.t("index.no_such_key", "vi")
    assert "index.no_such_key" in str(e.value) and "Thiếu" in str(e.value) and "missing" in str(e.value)
    with pytest.raises(i18n.UnknownLanguage):
        i18n.t("index.title", "fr")


@pytest.fixture
def locales(tmp_path, monkeypatch):
    """A copy of the catalogues the test may edit; i18n reads it instead of the package's."""
    folder = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES, folder)
    monkeypatch.setattr(i18n, "LOCALES", folder)
    i18n.reload()
    yield folder
    i18n.reload()


def edit(folder: Path, lang: str, old: str, new: str) -> None:
    p = folder / f"{lang}.yaml"
    text = p.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    p.write_text(text.replace(old, new), encoding="utf-8")
    i18n.reload()


def method_page(tmp_path: Path, lang: str) -> str:
    from parplan.periods import Quarter
    from parplan.render import write_method

    out = tmp_path / lang
    out.mkdir(parents=True, exist_ok=True)
    return write_method(Quarter.parse("2023Q2"), out, lang, True, REPO).read_text(encoding="utf-8")


def test_a_label_changed_in_the_catalogue_shows_on_the_rendered_page(locales, tmp_path):
    before = method_page(tmp_path, "vi")
    assert "Phương pháp đánh giá tiến độ và dự báo" in before and "Có nguy cơ" in before
    edit(locales, "vi", "  at_risk: Có nguy cơ\n", "  at_risk: Nguy cơ chậm (nhãn thử)\n")
    edit(locales, "vi", "  title: Phương pháp đánh giá tiến độ và dự báo\n", "  title: Cách đánh giá (tiêu đề thử)\n")
    after = method_page(tmp_path, "vi")
    assert "Nguy cơ chậm (nhãn thử)" in after and "Cách đánh giá (tiêu đề thử)" in after
    assert "<title>Cách đánh giá (tiêu đề thử)</title>" in after
    assert "Có nguy cơ" not in after.replace("Có nguy cơ</", "")  # the old label is gone from the badges too
    assert "Nguy cơ chậm (nhãn thử)" not in method_page(tmp_path, "en")  # the other language is untouched


def test_rendering_with_a_missing_key_fails(locales, tmp_path):
    edit(locales, "en", "  nav_method: How progress is judged\n", "")
    with pytest.raises(i18n.MissingKey, match="base.nav_method"):
        method_page(tmp_path, "en")
    method_page(tmp_path, "vi")  # the Vietnamese catalogue still has it


def test_a_new_language_is_one_catalogue_file(locales, tmp_path):
    """Adding a UI language is adding one catalogue file: the list of languages comes from the files."""
    text = (locales / "en.yaml").read_text(encoding="utf-8")
    (locales / "xx.yaml").write_text(text.replace("  name: English\n", "  name: Test language\n")
                                     .replace("  nav_index: The quarter's main page\n", "  nav_index: XX home\n"),
                                     encoding="utf-8")
    i18n.reload()
    assert i18n.languages() == ("vi", "en", "xx")
    page = method_page(tmp_path, "xx")
    assert '<html lang="xx">' in page and "XX home" in page


def test_babel_formats_numbers_counts_percentages_and_dates():
    import datetime as dt

    assert fmt.number(1234567.891, "vi", 2) == "1.234.567,89" and fmt.number(1234567.891, "en", 2) == "1,234,567.89"
    assert fmt.count(118.0, "vi") == "118" and fmt.count(12000, "vi") == "12.000" and fmt.count(12000, "en") == "12,000"
    with pytest.raises(ValueError):
        fmt.count(118.5, "vi")  # a fractional count is an error, never rounded silently
    assert fmt.pct(0.992, "vi") == "99,2 %" and fmt.pct(0.992, "en") == "99.2 %" and fmt.pct(0.5, "vi", 0) == "50 %"
    assert fmt.date("2023-06-30", "vi") == "30/06/2023" and fmt.date(dt.date(2023, 1, 2), "en") == "02/01/2023"
    assert fmt.number(float("nan"), "vi") == "—" and fmt.count(None, "en") == "—"


def test_templates_escape_everything_they_are_given():
    out = layout.render("macros.html.j2", "vi")  # imports cleanly
    assert out.strip() == ""
    env = layout.environment()
    html = env.from_string('{% import "macros.html.j2" as m %}{{ m.table(["<h>"], [["<script>x</script>"]]) }}'
                           ).render(lang="vi")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;h&gt;" in html
