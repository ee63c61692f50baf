"""`/mentor export`: an admin gets the program's data as CSV files in a DM, and nothing private."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas
from sqlalchemy import select

from bot import ids
from storage.db import SessionFactory
from storage.models import (
    CheckIn,
    CheckInAnswer,
    Goal,
    GoalFeedback,
    GoalMilestone,
    GoalUpdate,
    Pair,
    PairFeedback,
    Person,
    Profile,
    Program,
    Pulse,
    Workspace,
)
from tests.fakes.slack_api import TEAM_ID, FakeSlack
from tests.fakes.slack_requests import SlackSender, channel, people, picked, ticked, typed
from tests.scenarios import ADMIN, enroll

NEXT_WEEK = (datetime.now(UTC) + timedelta(days=7)).date()
BOM = b"\xef\xbb\xbf"
MOTIVATIONS = "I want to lead my team's design reviews by spring."
BACKGROUND = "Backend engineer, three years in payments."
LOCATION = "https://meet.example.com/mia-tom"
EXPECTATIONS = "Tom brings a topic each time; Mia answers DMs within a day."
DUE = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
ANSWERED = datetime(2026, 3, 3, 17, 5, 9, tzinfo=UTC)
GOAL_CREATED = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
GOAL_CLOSED = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
ENDED_CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ENDED_AT = datetime(2026, 2, 6, 16, 45, tzinfo=UTC)

# What people wrote in the seeded program; by default none of it may reach an export.
WRITTEN = {
    "learned mia": "Mia learned that Tom prefers written agendas.",
    "blocker mia": "Mia is blocked by the release freeze.",
    "learned tom": "Tom learned how to open a design review.",
    "blocker tom": "Tom is blocked by his calendar.",
    "specific 1": "Give three talks at the backend guild.",
    "unit 1": "guild talks",
    "attainable 1": "I present weekly to my own team already.",
    "realistic 1": "My manager set aside time for it this quarter.",
    "specific 2": "Run one design review end to end.",
    "attainable 2": "Mia runs them every week and will shadow me.",
    "realistic 2": "The next review is already on my plate.",
    "closing 2": "Done, and the team asked me to run the next one too.",
}
# What is never exported, whatever the program allows.
NEVER = {
    "milestone": "Draft the review agenda with Mia",
    "progress note": "Halfway there, the second talk is booked.",
    "mentor feedback": "Your first talk was clear; slow down on the demo.",
    "closing feedback": "Mia was a wonderful mentor, rating her privately.",
    "pulse": "We skipped two meetings and I feel stuck.",
    "match reason": "They share Leadership and Public speaking.",
}


@dataclass(frozen=True)
class Export:
    """What one `/mentor export` sent: each file's bytes and parsed rows, where, and the reply."""

    raw: dict[str, bytes]
    rows: dict[str, list[list[str]]]
    filenames: dict[str, str]
    channels: set[str]
    reply: str


def parse(content: bytes) -> list[list[str]]:
    """The CSV as a spreadsheet would read it: UTF-8 with a BOM, fields split by Python's csv."""
    assert content.startswith(BOM), "a BOM tells Excel the file is UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def export(slack: SlackSender, fake_slack: FakeSlack, user_id: str = ADMIN, text: str = "export") -> Export:
    """Type `/mentor export` and collect the CSV files and the ephemeral reply that follow."""
    before, replies = set(fake_slack.files), len(fake_slack.calls_to("response_url"))
    assert slack.slash(text, user_id=user_id).status == 200
    reply = fake_slack.wait_for("response_url", count=replies + 1)[-1].args
    assert reply.get("response_type") == "ephemeral"
    new = {k: v for k, v in fake_slack.files.items() if k not in before and v["filename"].endswith(".csv")}
    names = {f["filename"].split("-")[0]: f for f in new.values()}
    return Export(
        raw={name: f["content"] for name, f in names.items()},
        rows={name: parse(f["content"]) for name, f in names.items()},
        filenames={name: f["filename"] for name, f in names.items()},
        channels={f["channel"] for f in new.values()},
        reply=reply["text"],
    )


def instant(value: datetime | None) -> str:
    """How an instant reads in the export: ISO-8601, UTC, whole seconds, Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def save_agreement(slack: SlackSender, fake_slack: FakeSlack) -> None:
    """Tom agrees with Mia to meet every two weeks on Tuesday 09:30 Berlin time, by video."""
    opened = len(fake_slack.calls_to("views.open"))
    slack.slash("agreement", user_id="UTOM")
    view = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    fields = {
        ids.AGREE_FREQUENCY: picked("biweekly"),
        ids.AGREE_WEEKDAY: picked("1"),
        ids.AGREE_TIME: {"type": "timepicker", "selected_time": "09:30"},
        ids.AGREE_TZ: typed("Europe/Berlin"),
        ids.AGREE_FORMAT: picked("video"),
        ids.AGREE_LOCATION: typed(LOCATION),
        ids.AGREE_START: {"type": "datepicker", "selected_date": NEXT_WEEK.isoformat()},
        ids.AGREE_EXPECTATIONS: typed(EXPECTATIONS),
    }
    assert slack.submit(view, fields, user_id="UTOM").body == ""
    fake_slack.wait_for("files.completeUploadExternal")  # the calendar file


def set_export_free_text(slack: SlackSender, fake_slack: FakeSlack, allowed: bool) -> dict:
    """The admin ticks (or unticks) "Export free text" in the settings; returns the modal they saw."""
    opened = len(fake_slack.calls_to("views.open"))
    slack.slash("config", user_id=ADMIN)
    view = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    reply = slack.submit(
        view,
        {
            ids.CONFIG_NAME: typed("Mentorship"),
            ids.CONFIG_CHANNEL: channel(None),
            ids.CONFIG_SKILLS: typed("Leadership\nPublic speaking"),
            ids.CONFIG_CADENCE: picked("biweekly"),
            ids.CONFIG_ADMINS: people(),
            ids.CONFIG_EXPORT_FREE_TEXT: ticked("on") if allowed else ticked(),
        },
        user_id=ADMIN,
    )
    assert reply.body == ""
    return view


def seed_history(session_factory: SessionFactory) -> dict[str, int]:
    """Check-ins, goals, an ended pair and private notes for Mia and Tom's program; returns ids."""
    with session_factory.begin() as session:
        pair = session.scalars(select(Pair)).one()
        person = {p.user_id: p for p in session.scalars(select(Person).where(Person.team_id == TEAM_ID))}
        pair.match_reason = NEVER["match reason"]
        ended = Pair(
            team_id=TEAM_ID,
            program_id=pair.program_id,
            mentor_id=person["UMAX"].id,
            mentee_id=person["UTIA"].id,
            status="ended",
            created_at=ENDED_CREATED,
            ended_at=ENDED_AT,
        )
        answered = CheckIn(team_id=TEAM_ID, pair_id=pair.id, due_at=DUE, met="yes", answered_at=ANSWERED)
        waiting = CheckIn(team_id=TEAM_ID, pair_id=pair.id, due_at=DUE + timedelta(weeks=2))
        talks = Goal(
            team_id=TEAM_ID,
            pair_id=pair.id,
            owner_id=person["UTOM"].id,
            specific=WRITTEN["specific 1"],
            measure_kind="target",
            target_value=3.0,
            target_unit=WRITTEN["unit 1"],
            current_value=1.5,
            attainable=WRITTEN["attainable 1"],
            realistic=WRITTEN["realistic 1"],
            deadline=date(2026, 12, 1),
            created_at=GOAL_CREATED,
        )
        review = Goal(
            team_id=TEAM_ID,
            pair_id=pair.id,
            owner_id=person["UTOM"].id,
            specific=WRITTEN["specific 2"],
            measure_kind="milestones",
            attainable=WRITTEN["attainable 2"],
            realistic=WRITTEN["realistic 2"],
            deadline=date(2026, 6, 30),
            status="achieved",
            closing_note=WRITTEN["closing 2"],
            created_at=GOAL_CREATED,
            closed_at=GOAL_CLOSED,
            milestones=[
                GoalMilestone(position=0, text=NEVER["milestone"], done_at=GOAL_CLOSED),
                GoalMilestone(position=1, text="Book the room", done_at=GOAL_CLOSED),
                GoalMilestone(position=2, text="Send the notes"),
            ],
        )
        session.add_all([ended, answered, waiting, talks, review])
        session.flush()
        session.add_all(
            [
                CheckInAnswer(
                    checkin_id=answered.id,
                    person_id=person["UMIA"].id,
                    met="yes",
                    learned=WRITTEN["learned mia"],
                    blocker=WRITTEN["blocker mia"],
                ),
                CheckInAnswer(
                    checkin_id=answered.id,
                    person_id=person["UTOM"].id,
                    met="yes",
                    learned=WRITTEN["learned tom"],
                    blocker=WRITTEN["blocker tom"],
                ),
                GoalUpdate(
                    goal_id=talks.id, author_id=person["UTOM"].id, value=1.5, note=NEVER["progress note"]
                ),
                GoalFeedback(goal_id=talks.id, author_id=person["UMIA"].id, text=NEVER["mentor feedback"]),
                PairFeedback(
                    team_id=TEAM_ID,
                    pair_id=ended.id,
                    person_id=person["UTIA"].id,
                    rating=5,
                    comment=NEVER["closing feedback"],
                ),
                Pulse(
                    team_id=TEAM_ID,
                    pair_id=pair.id,
                    person_id=person["UTOM"].id,
                    asked_on=date(2026, 3, 1),
                    score=2,
                    comment=NEVER["pulse"],
                ),
            ]
        )
        session.flush()
        return {
            "pair": pair.id,
            "ended": ended.id,
            "answered": answered.id,
            "waiting": waiting.id,
            "talks": talks.id,
            "review": review.id,
        }


def seed_elsewhere(session_factory: SessionFactory) -> None:
    """Another program in this workspace, and a program of another workspace with the same people."""
    with session_factory.begin() as session:
        here = Program(team_id=TEAM_ID, name="Leadership 2027", skills=[], admin_user_ids=[])
        session.add_all([Workspace(team_id="T0OTHER"), here])
        session.flush()
        there = Program(team_id="T0OTHER", name="Mentorship", is_default=True, skills=[], admin_user_ids=[])
        session.add(there)
        session.flush()
        for team_id, program, suffix in ((TEAM_ID, here, "HERE"), ("T0OTHER", there, "THERE")):
            mentor = Person(team_id=team_id, user_id=f"UOTHERMENTOR{suffix}", display_name=f"Other {suffix}")
            mentee = Person(team_id=team_id, user_id=f"UOTHERMENTEE{suffix}", display_name=f"Other {suffix}")
            session.add_all([mentor, mentee])
            session.flush()
            for person, role in ((mentor, "mentor"), (mentee, "mentee")):
                session.add(Profile(team_id=team_id, program_id=program.id, person_id=person.id, role=role))
            pair = Pair(team_id=team_id, program_id=program.id, mentor_id=mentor.id, mentee_id=mentee.id)
            session.add(pair)
            session.flush()
            checkin = CheckIn(team_id=team_id, pair_id=pair.id, due_at=DUE, met="yes", answered_at=ANSWERED)
            session.add(checkin)
            session.add(
                Goal(
                    team_id=team_id,
                    pair_id=pair.id,
                    owner_id=mentee.id,
                    specific=f"Secret goal {suffix}",
                    measure_kind="target",
                    target_value=1.0,
                    target_unit=f"units {suffix}",
                    attainable="yes",
                    realistic="yes",
                    deadline=date(2026, 12, 1),
                )
            )
            session.flush()
            session.add(
                CheckInAnswer(
                    checkin_id=checkin.id, person_id=mentee.id, learned=f"Secret {suffix}", blocker="x"
                )
            )
        # Mia also exists in the other workspace, in a pair of her own there.
        mia = Person(team_id="T0OTHER", user_id="UMIA", display_name="Mia elsewhere")
        session.add(mia)
        session.flush()
        session.add(Profile(team_id="T0OTHER", program_id=there.id, person_id=mia.id, role="mentor"))


def expected_rows(session_factory: SessionFactory, seeded: dict[str, int], *, free_text: bool) -> dict:
    """Exactly the rows the export must hold, from what the people typed and the seeded history."""
    with session_factory() as session:
        joined = {
            person.user_id: (profile.joined_at, person.display_name)
            for profile, person in session.execute(
                select(Profile, Person)
                .join(Person, Person.id == Profile.person_id)
                .where(Person.team_id == TEAM_ID)
            )
        }
        pair = session.get(Pair, seeded["pair"])

    def keep(row: list[str], private: int) -> list[str]:
        """The row as exported: its last `private` cells (what people wrote) only with free text."""
        return row if free_text else row[:-private]

    def participant(user_id: str, tz: str, *, mentor: bool) -> list[str]:
        joined_at, name = joined[user_id]
        role, level, capacity = ("mentor", "expert", "1") if mentor else ("mentee", "developing", "")
        skills = "Leadership; Public speaking" if mentor else ""
        growth = "" if mentor else "Public speaking; Leadership; Rust"
        row = [user_id, name, "Mentorship", role, level, capacity, "video; chat", tz, skills, growth]
        return keep([*row, instant(joined_at), "", MOTIVATIONS, BACKGROUND], 2)

    return {
        "participants": [
            keep(
                [
                    *("user_id", "display_name", "program", "role", "experience_level", "mentor_capacity"),
                    *("meeting_formats", "time_zone", "skills", "growth_areas", "joined_at", "left_at"),
                    *("motivations", "background"),
                ],
                2,
            ),
            participant("UMIA", "Europe/Berlin", mentor=True),
            participant("UMAX", "America/New_York", mentor=True),
            participant("UTOM", "Europe/Paris", mentor=False),
            participant("UTIA", "America/Chicago", mentor=False),
            participant("UTED", "Asia/Tokyo", mentor=False),
        ],
        "pairs": [
            keep(
                [
                    *("pair_id", "program", "mentor_id", "mentee_id", "status"),
                    *("created_at", "paused_at", "ended_at"),
                    *("agreement_frequency", "agreement_weekday", "agreement_time", "agreement_time_zone"),
                    *(
                        "agreement_format",
                        "agreement_start_date",
                        "agreement_location",
                        "agreement_expectations",
                    ),
                ],
                2,
            ),
            keep(
                [
                    *(str(seeded["ended"]), "Mentorship", "UMAX", "UTIA", "ended"),
                    *(instant(ENDED_CREATED), "", instant(ENDED_AT)),
                    *("", "", "", "", "", "", "", ""),
                ],
                2,
            ),
            keep(
                [
                    *(str(pair.id), "Mentorship", "UMIA", "UTOM", "active", instant(pair.created_at), "", ""),
                    *("biweekly", "Tuesday", "09:30", "Europe/Berlin", "video", NEXT_WEEK.isoformat()),
                    *(LOCATION, EXPECTATIONS),
                ],
                2,
            ),
        ],
        "checkins": [
            keep(
                [
                    *("checkin_id", "pair_id", "due_at", "met", "answered_at", "answers"),
                    *("stage", "prepared", "action_items", "action_items_done"),
                    *("mentor_learned", "mentor_blocker", "mentee_learned", "mentee_blocker"),
                    *("agenda_topics", "agenda_questions", "agenda_went_well", "agenda_hard", "notes"),
                ],
                9,
            ),
            keep(
                [
                    *(str(seeded["answered"]), str(pair.id), "2026-03-03T08:30:00Z", "yes"),
                    *("2026-03-03T17:05:09Z", "2", "checkin", "no", "0", "0"),
                    *(WRITTEN["learned mia"], WRITTEN["blocker mia"]),
                    *(WRITTEN["learned tom"], WRITTEN["blocker tom"], "", "", "", "", ""),
                ],
                9,
            ),
            keep(
                [
                    *(str(seeded["waiting"]), str(pair.id), "2026-03-17T08:30:00Z", "", "", "0"),
                    *("checkin", "no", "0", "0", "", "", "", "", "", "", "", "", ""),
                ],
                9,
            ),
        ],
        "goals": [
            keep(
                [
                    *("goal_id", "pair_id", "owner_id", "status", "measure_kind", "start_value", "target"),
                    *("current_value", "milestones_done", "milestones_total", "deadline", "created_at"),
                    *("closed_at", "unit", "specific", "attainable", "realistic", "closing_note"),
                ],
                5,
            ),
            keep(
                [
                    *(str(seeded["talks"]), str(pair.id), "UTOM", "active", "target", "0", "3", "1.5"),
                    *("0", "0", "2026-12-01", "2026-02-01T10:00:00Z", "", WRITTEN["unit 1"]),
                    *(WRITTEN["specific 1"], WRITTEN["attainable 1"], WRITTEN["realistic 1"], ""),
                ],
                5,
            ),
            keep(
                [
                    *(str(seeded["review"]), str(pair.id), "UTOM", "achieved", "milestones", "0", "", "0"),
                    *("2", "3", "2026-06-30", "2026-02-01T10:00:00Z", "2026-04-02T12:00:00Z", ""),
                    *(
                        WRITTEN["specific 2"],
                        WRITTEN["attainable 2"],
                        WRITTEN["realistic 2"],
                        WRITTEN["closing 2"],
                    ),
                ],
                5,
            ),
        ],
    }


def without_outcomes(rows: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """The files of rows (the outcomes file holds figures: tests/test_outcomes.py reads it)."""
    return {name: table for name, table in rows.items() if name != "outcomes"}


def test_an_admin_gets_five_csv_files_in_a_dm_that_parse_back_to_exactly_the_programs_rows(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    save_agreement(paired, fake_slack)
    seeded = seed_history(session_factory)
    seed_elsewhere(session_factory)

    sent = export(paired, fake_slack)

    assert without_outcomes(sent.rows) == expected_rows(session_factory, seeded, free_text=False)
    today = datetime.now(UTC).date().isoformat()
    assert sent.filenames == {
        name: f"{name}-mentorship-{today}.csv"
        for name in ("participants", "pairs", "checkins", "goals", "outcomes")
    }
    header, *groups = sent.rows["outcomes"]
    assert [row[header.index("name")] for row in groups] == ["Open-ended", "All pairs"]
    admin_dm = fake_slack.wait_until("conversations.open", lambda call: call.args["users"] == ADMIN)
    assert sent.channels == {admin_dm.response["channel"]["id"]}
    assert (
        "participants (5 rows), pairs (2 rows), checkins (2 rows), goals (2 rows), outcomes (2 rows)"
        in sent.reply
    )
    assert "What people wrote is left out" in sent.reply
    for content in sent.raw.values():
        lines = content.removeprefix(BOM).split(b"\r\n")
        assert lines[-1] == b"", "every row ends with CRLF"
        assert all(b"\n" not in line for line in lines), "and no bare line feeds"


def test_free_text_is_left_out_by_default_and_exported_once_an_admin_allows_it(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    save_agreement(paired, fake_slack)
    seeded = seed_history(session_factory)
    private = [*WRITTEN.values(), MOTIVATIONS, BACKGROUND, LOCATION, EXPECTATIONS, *NEVER.values()]

    before = export(paired, fake_slack)
    view = set_export_free_text(paired, fake_slack, allowed=True)
    after = export(paired, fake_slack)

    assert ids.CONFIG_EXPORT_FREE_TEXT in [block.get("block_id") for block in view["blocks"]]
    for content in before.raw.values():
        for text in private:
            assert text.encode() not in content, f"{text!r} leaked into a default export"
    assert without_outcomes(after.rows) == expected_rows(session_factory, seeded, free_text=True)
    assert "They include what people wrote" in after.reply
    for content in after.raw.values():
        for text in NEVER.values():
            assert text.encode() not in content, f"{text!r} is never exported"
    reopened = set_export_free_text(paired, fake_slack, allowed=False)
    box = next(b for b in reopened["blocks"] if b.get("block_id") == ids.CONFIG_EXPORT_FREE_TEXT)
    assert [o["value"] for o in box["element"]["initial_options"]] == ["on"], "the modal shows it is on"
    with session_factory() as session:
        assert session.scalar(select(Program.export_free_text).where(Program.is_default)) is False
    assert export(paired, fake_slack).rows == before.rows


def test_someone_who_is_not_an_admin_is_refused_and_nothing_is_uploaded(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    seed_history(session_factory)

    sent = export(paired, fake_slack, user_id="UTOM")

    assert "Only program admins can export its data" in sent.reply
    assert sent.raw == {}
    assert fake_slack.calls_to("files.getUploadURLExternal") == []
    assert fake_slack.calls_to("conversations.open") == []


def test_cells_people_typed_that_look_like_formulas_stay_text(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    fake_slack.add_user("UEVE", real_name='=HYPERLINK("https://evil.example","click")', tz="Europe/Berlin")
    enroll(program, fake_slack, "UEVE", mentor=False)
    program.slash("pair <@UMIA> <@UEVE>", user_id=ADMIN)
    fake_slack.wait_for("views.publish", count=2)
    typed_by_people = {
        "plus": "+1 talk per month",
        "minus": "-2 bugs",
        "at": "@SUM(1+1)*cmd|' /C calc'!A0",
        "tab": "\t=1+1",
        "cr": "\r=1+1",
    }
    with session_factory.begin() as session:
        pair = session.scalars(select(Pair)).one()
        session.add(
            Goal(
                team_id=TEAM_ID,
                pair_id=pair.id,
                owner_id=pair.mentee_id,
                specific=typed_by_people["at"],
                measure_kind="target",
                target_value=-4.0,
                target_unit=typed_by_people["plus"],
                current_value=-1.25,
                attainable=typed_by_people["tab"],
                realistic=typed_by_people["cr"],
                closing_note=typed_by_people["minus"],
                deadline=date(2026, 12, 1),
            )
        )
    set_export_free_text(program, fake_slack, allowed=True)

    sent = export(program, fake_slack)

    header, *rows = sent.rows["participants"]
    eve = next(row for row in rows if row[0] == "UEVE")
    assert eve[header.index("display_name")] == """'=HYPERLINK("https://evil.example","click")"""
    header, goal = sent.rows["goals"]
    cells = dict(zip(header, goal, strict=True))
    assert cells["unit"] == "'" + typed_by_people["plus"]
    assert cells["specific"] == "'" + typed_by_people["at"]
    assert cells["attainable"] == "'" + typed_by_people["tab"]
    assert cells["realistic"] == "'" + typed_by_people["cr"]
    assert cells["closing_note"] == "'" + typed_by_people["minus"]
    assert (cells["target"], cells["current_value"]) == ("-4", "-1.25"), "numbers stay numbers"


def test_names_and_program_names_in_any_script_survive_the_round_trip(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    name = "Zoë Ångström 李雷 — Ωmega 🚀"
    fake_slack.add_user("UZOE", real_name=name, tz="Asia/Shanghai")
    enroll(program, fake_slack, "UZOE", mentor=False)
    opened = len(fake_slack.calls_to("views.open"))
    program.slash("config", user_id=ADMIN)
    view = fake_slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    program.submit(
        view,
        {
            ids.CONFIG_NAME: typed("Programme été 🌱 李"),
            ids.CONFIG_CHANNEL: channel(None),
            ids.CONFIG_SKILLS: typed("Leadership\nPublic speaking\nCafé ☕"),
            ids.CONFIG_CADENCE: picked("weekly"),
            ids.CONFIG_ADMINS: people(),
        },
        user_id=ADMIN,
    )

    sent = export(program, fake_slack, text="export programme ÉTÉ 🌱 李")

    header, *rows = sent.rows["participants"]
    zoe = next(row for row in rows if row[0] == "UZOE")
    assert zoe[header.index("display_name")] == name
    assert zoe[header.index("program")] == "Programme été 🌱 李"
    assert name.encode("utf-8") in sent.raw["participants"]
    today = datetime.now(UTC).date().isoformat()
    assert sent.filenames["participants"] == f"participants-programme-été-李-{today}.csv"


def test_a_file_slack_refuses_is_named_in_the_reply_and_the_others_still_arrive(
    paired: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("files.getUploadURLExternal", status=500)

    sent = export(paired, fake_slack)

    assert sorted(sent.rows) == ["checkins", "goals", "outcomes", "pairs"]
    assert "I sent you 4 CSV files" in sent.reply
    assert "I could not upload participants (internal_error)" in sent.reply


def read_with_pandas(content: bytes) -> pandas.DataFrame:
    """The CSV as pandas reads it: every cell a string, empty cells kept empty."""
    return pandas.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_the_goals_file_leaves_out_the_unit_a_mentee_typed_unless_free_text_is_allowed(
    paired: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    seeded = seed_history(session_factory)

    before = export(paired, fake_slack)
    set_export_free_text(paired, fake_slack, allowed=True)
    after = export(paired, fake_slack)

    for sent in (before, after):
        for name, content in sent.raw.items():
            frame = read_with_pandas(content)
            header, *rows = sent.rows[name]
            assert list(frame.columns) == header, f"pandas and csv disagree on {name}'s columns"
            assert frame.values.tolist() == rows, f"pandas and csv disagree on {name}'s rows"
    hidden, shown = read_with_pandas(before.raw["goals"]), read_with_pandas(after.raw["goals"])
    assert "unit" not in hidden.columns
    assert WRITTEN["unit 1"].encode() not in before.raw["goals"]
    talks = shown[shown["goal_id"] == str(seeded["talks"])]
    assert talks["unit"].tolist() == [WRITTEN["unit 1"]]
