"""Article text: simple marks rendered, everything else escaped; plain text for answers."""

from __future__ import annotations

from kglijn.knowledge.formatting import excerpt, plain_text, render_body


def test_html_typed_into_an_article_is_shown_as_text() -> None:
    html = render_body('<script>alert("x")</script> <b onclick="x()">vet</b>')

    assert "<script" not in html
    assert "<b " not in html
    assert html == (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
        "&lt;b onclick=&quot;x()&quot;&gt;vet&lt;/b&gt;</p>"
    )


def test_paragraphs_headings_lists_and_inline_marks() -> None:
    body = (
        "## Schema\nEerste regel\ntweede regel\n\n- **8 weken**\n- *12 weken*\n"
        "  vervolg\n\n1. een\n2. twee"
    )

    assert render_body(body) == (
        "<h4>Schema</h4>\n<p>Eerste regel<br>tweede regel</p>\n"
        "<ul><li><strong>8 weken</strong></li><li><em>12 weken</em> vervolg</li></ul>\n"
        "<ol><li>een</li><li>twee</li></ol>"
    )


def test_only_web_and_mail_links_become_links() -> None:
    html = render_body(
        "[site](https://www.kindengezin.be) [mail](mailto:info@kindengezin.be) "
        '[kwaad](javascript:alert(1)) [aanhalingsteken](https://x.be/"onmouseover=")'
    )

    assert '<a href="https://www.kindengezin.be" rel="noopener noreferrer">site</a>' in html
    assert '<a href="mailto:info@kindengezin.be" rel="noopener noreferrer">mail</a>' in html
    assert "javascript:" in html
    assert 'href="javascript' not in html
    assert 'onmouseover="' not in html


def test_plain_text_drops_the_marks() -> None:
    body = "## Titel\n**Beste** ouder,\n\n- [site](https://kindengezin.be)\n* *punt*"

    assert plain_text(body) == "Titel\nBeste ouder,\n\n- site (https://kindengezin.be)\n- punt"


def test_excerpt_highlights_the_whole_word_around_the_first_match() -> None:
    body = "Het basisvaccinatieschema begint op 8 weken. " + "Meer tekst. " * 30

    before, match, after = excerpt(body, ["vaccinatie"], width=60)

    assert (before, match) == ("Het ", "basisvaccinatieschema")
    assert after.startswith(" begint op 8 weken.")
    assert after.endswith("…")


def test_excerpt_without_a_match_is_the_start() -> None:
    assert excerpt("Kort.", ["slaap"]) == ("Kort.", "", "")
