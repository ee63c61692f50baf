"""What people type is shown as typed, and counts read as sentences."""

from __future__ import annotations

from bot.views.common import escape_text, plural


def test_escaping_turns_mass_mentions_and_disguised_links_into_plain_text():
    typed = "<!channel> & <https://evil.example|https://acme.slack.com/x>"
    assert (
        escape_text(typed) == "&lt;!channel&gt; &amp; &lt;https://evil.example|https://acme.slack.com/x&gt;"
    )


def test_escaping_does_not_double_an_ampersand_a_person_typed_as_an_entity():
    assert escape_text("&lt;") == "&amp;lt;"


def test_escaping_leaves_other_text_alone():
    assert escape_text("Grow into *tech lead* 🚀 — שלום") == "Grow into *tech lead* 🚀 — שלום"


def test_plural_agrees_with_the_count():
    assert plural(1, "active pair") == "1 active pair"
    assert plural(2, "active pair") == "2 active pairs"
    assert plural(0, "rating") == "0 ratings"
    assert plural(1, "reply", "replies") == "1 reply"
    assert plural(3, "reply", "replies") == "3 replies"
