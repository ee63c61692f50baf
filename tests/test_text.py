"""What people type is shown as typed, and counts read as sentences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.commands import CommandInput
from bot.insights import WeekPoint
from bot.pairing import ProposalLine
from bot.report import chart_alt_text, chart_title
from bot.views.common import day_phrase, escape_text, escaped, plural, time_phrase
from bot.views.pairing import match_review_modal
from tests.blockkit import assert_valid_view


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


def test_the_match_review_shows_each_reason_whole_and_counts_in_words():
    reason = "They share " + ", ".join(f"Skill number {n}" for n in range(9)) + " and both prefer video."
    lines = [ProposalLine(n, f"UMENTOR{n}", f"UMENTEE{n}", reason) for n in range(12)]
    view = match_review_modal(1, "Mentorship", lines[:1], 1)
    assert_valid_view(view)
    shown = str(view["blocks"])
    assert len(reason) > 75
    assert reason in shown
    assert "1 proposed pair for *Mentorship*. 1 mentee has no suitable mentor" in shown
    many = match_review_modal(1, "Mentorship", lines, 2)
    assert_valid_view(many)
    assert str(many["blocks"]).count(reason) == 12
    assert "12 proposed pairs" in str(many["blocks"])
    assert "2 mentees have" in str(many["blocks"])


def test_a_time_reads_in_a_sentence_in_the_readers_zone():
    moment = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    phrase = time_phrase(moment)
    assert (
        phrase == f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|2026-12-02 08:00 UTC>"
    )
    assert (
        day_phrase(moment.replace(tzinfo=None))
        == f"<!date^{int(moment.timestamp())}^{{date_short}}|2026-12-02>"
    )


def test_slash_command_text_is_read_as_typed_and_mentions_stay_mentions():
    command = CommandInput.from_payload({"text": "config new R&amp;D &lt;Platform&gt; <@UMIA|mia>"})
    assert (command.name, command.args) == ("config", "new R&D <Platform> <@UMIA|mia>")
    assert escape_text(command.args.removeprefix("new ")) == "R&amp;D &lt;Platform&gt; &lt;@UMIA|mia&gt;"


def test_what_people_typed_is_escaped_before_it_is_cut_and_never_cut_inside_an_entity() -> None:
    assert escaped("a & b", 100) == "a &amp; b"
    assert len(escaped("&" * 1000, 3000)) <= 3000, "the limit holds for what Slack gets"
    cut = escaped("x" * 8 + "<b>", 10)
    assert cut == "xxxxxxxx…", "half an entity (&l) is dropped, not sent"
