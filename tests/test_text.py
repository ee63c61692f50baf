"""What people type is shown as typed, and counts read as sentences."""

from __future__ import annotations

from datetime import date, timedelta

from bot.insights import WeekPoint
from bot.report import chart_alt_text, chart_title
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


def test_the_chart_title_keeps_a_long_program_name_whole():
    name = "Engineering Leadership Mentorship for Staff and Principal Engineers, EMEA 2027"
    title = chart_title(name)
    assert " ".join(title.splitlines()[:-1]) == name
    assert all(len(line) <= 60 for line in title.splitlines())


def test_the_chart_says_in_words_what_it_shows():
    weeks = [WeekPoint(date(2026, 10, 12) + timedelta(weeks=n), 2, 1 + n, n) for n in range(2)]
    assert chart_alt_text("Mentorship", weeks) == (
        "Bar chart of check-ins for Mentorship, per week. week of Oct 12: 2 sent, 1 answered, 0 met; "
        "week of Oct 19: 2 sent, 2 answered, 1 met."
    )
    assert len(chart_alt_text("x" * 80, weeks * 50)) == 1000
