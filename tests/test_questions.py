"""The mentor's question bank asks open questions, and each meeting's choice fits the pair's situation."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from bot.enrollment import EXPERIENCE_LEVELS
from bot.questions import (
    ADVICE_PHRASES,
    LEVELS,
    OPEN_OPENERS,
    QUOTED_LIMIT,
    STAGES,
    Bank,
    Chosen,
    MeetingState,
    Question,
    choose,
    default_bank,
    is_open_question,
    known_tags,
    load_bank,
    situations,
)

BANK = default_bank()
BUSY = MeetingState(
    meeting_number=5,
    behind="Ship the onboarding guide",
    blocker="waiting on access to the staging database",
    level="developing",
    motivations="I want a promotion to senior",
)
PACKAGED = resources.files("bot").joinpath("questions.toml").read_text(encoding="utf-8")


def ids(chosen: list[Chosen]) -> list[str]:
    return [c.id for c in chosen]


def tags_of(chosen: list[Chosen], bank: Bank = BANK) -> list[tuple[str, ...]]:
    by_id = {q.id: q for q in bank.questions}
    return [by_id[c.id].when for c in chosen]


def write_bank(folder: Path, questions: str, motivations: str = "") -> Path:
    path = folder / "questions.toml"
    path.write_text(f"[motivations]\n{motivations}\n\n{questions}", encoding="utf-8")
    return path


def entry(qid: str, stage: str, text: str, when: str = "[]") -> str:
    return f'[[question]]\nid = "{qid}"\nstage = "{stage}"\ntext = "{text}"\nwhen = {when}\n\n'


# ---- The packaged bank ---------------------------------------------------------------------------


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_every_question_in_the_packaged_bank_is_an_open_question(question: Question) -> None:
    text = question.text
    assert text.endswith("?")
    assert text.startswith(tuple(f"{opener} " for opener in OPEN_OPENERS)) or text.startswith("If ")
    assert not any(phrase in text.lower() for phrase in ADVICE_PHRASES)
    assert is_open_question(text)


def test_every_id_is_unique_and_every_stage_and_tag_is_known() -> None:
    all_ids = [q.id for q in BANK.questions]
    tags = known_tags(BANK.motivations)

    assert len(all_ids) == len(set(all_ids))
    assert {q.stage for q in BANK.questions} == set(STAGES)
    assert {tag for q in BANK.questions for tag in q.when} <= tags


def test_each_situation_tag_has_at_least_four_questions_and_each_stage_at_least_eight() -> None:
    per_tag = Counter(tag for q in BANK.questions for tag in q.when)
    per_stage = Counter(q.stage for q in BANK.questions)

    assert {tag: per_tag[tag] for tag in known_tags(BANK.motivations) if per_tag[tag] < 4} == {}
    assert {stage: per_stage[stage] for stage in STAGES if per_stage[stage] < 8} == {}


def test_every_stage_has_questions_for_any_meeting_and_for_the_first_one() -> None:
    # Without these a pair with no particular situation, or a first meeting, misses a GROW stage.
    for tag in ((), ("first",)):
        stages = Counter(q.stage for q in BANK.questions if q.when == tag)
        assert {stage: stages[stage] for stage in STAGES if stages[stage] < 2} == {}, tag


def test_the_levels_are_the_sign_up_forms_levels() -> None:
    assert set(LEVELS) == set(EXPERIENCE_LEVELS)


def test_the_packaged_bank_has_the_motivation_themes() -> None:
    assert set(BANK.motivations) == {
        "promotion",
        "leadership",
        "career_change",
        "confidence",
        "technical",
        "network",
        "balance",
    }
    assert "promot" in BANK.motivations["promotion"]


# ---- What counts as an open question -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "What would make this hour worth your time?",
        "How did it go?",
        "If you had a free week, what would you try first?",
        "Why nothing moved is a fair question: what do you think?",
        "Who could help?",
    ],
)
def test_open_questions_are_recognised(text: str) -> None:
    assert is_open_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "Do you have a plan?",
        "Are you happy with it?",
        "Could you ask your lead?",
        "Would it help to pair on it?",
        "What is your plan.",  # tells, does not ask
        "What do you think you should do?",
        "How will you make sure it ships?",
        "What could you try to change?",
        "Why not ask your lead?",
        "Why don\u2019t you ask your lead?",
        "However hard it is, can you finish?",  # "How" only as a whole word
        "Ifyou can, what then?",
    ],
)
def test_closed_questions_and_advice_are_refused(text: str) -> None:
    assert not is_open_question(text)


# ---- Loading a bank ------------------------------------------------------------------------------


def test_load_bank_refuses_a_file_with_a_closed_question_naming_its_id(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        entry("fine-one", "goal", "What matters most to you?")
        + entry("closed-one", "reality", "Do you ...?"),
    )

    with pytest.raises(ValueError, match=r"'closed-one'.*not an open question"):
        load_bank(path)


@pytest.mark.parametrize(
    ("questions", "complaint"),
    [
        (entry("a", "goal", "What now?") + entry("a", "reality", "What then?"), "'a' appears twice"),
        (entry("b", "vision", "What now?"), "'b': stage must be one of"),
        (entry("c", "goal", "What now?", '["late"]'), "'c': unknown situation tag 'late'"),
        (entry("d", "goal", "What now?", '["motivation:fame"]'), "'d': unknown situation tag"),
        (entry("e", "goal", "What about {mentor}?"), "'e': unknown placeholder"),
        (entry("Not A Slug", "goal", "What now?"), "question #1: id must be"),
        (entry("f", "goal", "What now?") + 'wen = ["first"]\n', "'f': unknown key 'wen'"),
    ],
)
def test_load_bank_refuses_a_bad_entry_and_names_it(tmp_path: Path, questions: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        load_bank(write_bank(tmp_path, questions))


def test_an_admins_extra_question_is_loaded_and_can_be_chosen(tmp_path: Path) -> None:
    extra = entry(
        "admin-blocked-and-away",
        "reality",
        "What has kept us apart while “{blocker}” stood in your way?",
        '["blocker", "missed"]',
    )
    path = tmp_path / "questions.toml"
    path.write_text(PACKAGED + "\n" + extra, encoding="utf-8")

    bank = load_bank(path)
    state = MeetingState(meeting_number=4, blocker="no laptop yet", missed_lately=2)

    assert len(bank.questions) == len(BANK.questions) + 1
    # Speaking to both situations at once, it is the first pick for every pair in this state.
    for seed in range(20):
        chosen = choose(bank, state, [], seed=seed)
        assert "admin-blocked-and-away" in ids(chosen), seed
    assert "What has kept us apart while “no laptop yet” stood in your way?" in [c.text for c in chosen]


# ---- Situations ----------------------------------------------------------------------------------


def test_situations_follow_the_state() -> None:
    assert situations(MeetingState(meeting_number=1), BANK) == {"first"}
    assert situations(MeetingState(meeting_number=2), BANK) == set()
    assert situations(BUSY, BANK) == {"behind", "blocker", "level:developing", "motivation:promotion"}
    assert situations(
        MeetingState(meeting_number=3, near_deadline="x", achieved="y", missed_lately=1, blocker="  "), BANK
    ) == {"near_deadline", "achieved", "missed"}


def test_motivations_about_a_promotion_select_promotion_questions() -> None:
    state = MeetingState(meeting_number=3, motivations="I want a promotion to senior")

    assert situations(state, BANK) == {"motivation:promotion"}
    for seed in range(10):
        assert ("motivation:promotion",) in tags_of(choose(BANK, state, [], seed=seed))


def test_motivation_keywords_match_case_insensitively_inside_words() -> None:
    state = MeetingState(meeting_number=3, motivations="Get PROMOTED, and less BURNOUT")

    assert situations(state, BANK) == {"motivation:promotion", "motivation:balance"}


# ---- Choosing ------------------------------------------------------------------------------------


def test_a_reported_blocker_leads_to_a_blocker_question_quoting_it() -> None:
    for seed in range(20):
        chosen = choose(BANK, BUSY, [], seed=seed)
        quoting = [c for c, when in zip(chosen, tags_of(chosen), strict=True) if "blocker" in when]
        assert quoting, seed
        assert any("“waiting on access to the staging database”" in c.text for c in quoting), seed


@pytest.mark.parametrize(
    ("state", "tag"),
    [
        (BUSY, "blocker"),
        (BUSY, "behind"),
        (
            MeetingState(meeting_number=4, near_deadline="Write the design doc", achieved="Ran a retro"),
            "near_deadline",
        ),
    ],
)
def test_a_blocker_a_late_goal_or_the_most_pressing_situation_is_addressed_even_by_a_recent_question(
    state: MeetingState, tag: str
) -> None:
    all_of_them = [q.id for q in BANK.questions if tag in q.when]

    chosen = choose(BANK, state, all_of_them, seed=5)

    assert sum(tag in when for when in tags_of(chosen)) == 1
    assert sum(c.id in all_of_them for c in chosen) == 1  # the one repeat, and nothing else repeated


def test_a_goal_behind_schedule_gets_a_question_naming_that_goal() -> None:
    state = MeetingState(meeting_number=6, behind="Ship the onboarding guide", level="expert")
    for seed in range(20):
        chosen = choose(BANK, state, [], seed=seed)
        assert any("behind" in when for when in tags_of(chosen)), seed
        assert any("“Ship the onboarding guide”" in c.text for c in chosen), seed


def test_the_first_meeting_gets_first_questions_about_expectations() -> None:
    # Four other situations hold too: the first meeting still stays mostly on expectations.
    state = MeetingState(
        meeting_number=1, level="new", motivations="confidence to speak up as a team lead, then a promotion"
    )
    for seed in range(20):
        chosen = choose(BANK, state, [], seed=seed)
        assert sum("first" in when for when in tags_of(chosen)) >= 2, seed
    assert not any("first" in q.when for q in _chosen_over_seeds(MeetingState(meeting_number=2)))


def test_the_most_pressing_situation_comes_first_when_there_is_room_for_one() -> None:
    state = MeetingState(meeting_number=4, near_deadline="Write the design doc", achieved="Ran a retro")

    for seed in range(20):
        (only,) = choose(BANK, state, [], seed=seed, count=1)
        assert "near_deadline" in tags_of([only])[0], seed


def test_the_choice_covers_the_grow_stages_in_order() -> None:
    for state in (BUSY, MeetingState(meeting_number=1), MeetingState(meeting_number=3, level="expert")):
        for seed in range(20):
            chosen = choose(BANK, state, [], seed=seed)
            assert [c.stage for c in chosen] == list(STAGES), (state, seed)


def test_eight_meetings_in_the_same_state_never_repeat_a_question_within_four_meetings() -> None:
    for state in (BUSY, MeetingState(meeting_number=2), MeetingState(meeting_number=2, missed_lately=1)):
        meetings: list[list[str]] = []
        for number in range(8):
            recent = [qid for meeting in meetings[-4:] for qid in meeting]
            meetings.append(ids(choose(BANK, state, recent, seed=1000 + number)))
        for start in range(len(meetings) - 3):
            window = [qid for meeting in meetings[start : start + 4] for qid in meeting]
            assert len(window) == 16, state
            assert len(set(window)) == len(window), (state, start, Counter(window).most_common(2))


def test_recent_questions_are_left_out() -> None:
    first = choose(BANK, BUSY, [], seed=7)
    again = choose(BANK, BUSY, ids(first), seed=7)

    assert not set(ids(first)) & set(ids(again))


def test_a_recent_question_returns_only_when_nothing_else_is_eligible(tmp_path: Path) -> None:
    bank = load_bank(
        write_bank(
            tmp_path,
            entry("g", "goal", "What now?")
            + entry("r", "reality", "What is true?")
            + entry("o", "options", "How else?"),
        )
    )

    assert ids(choose(bank, MeetingState(meeting_number=2), ["g", "r"], seed=1, count=1)) == ["o"]
    assert sorted(ids(choose(bank, MeetingState(meeting_number=2), ["g", "r", "o"], seed=1))) == [
        "g",
        "o",
        "r",
    ]


def test_weeks_differ() -> None:
    state = MeetingState(meeting_number=2, level="experienced")
    second = choose(BANK, state, [], seed=7102)
    third = choose(BANK, state, ids(second), seed=7103)

    assert set(ids(second)) != set(ids(third))
    # Even without the recent questions, another seed gives another set.
    assert len({frozenset(ids(choose(BANK, state, [], seed=seed))) for seed in range(10)}) > 5


def test_the_same_seed_gives_the_same_questions_and_pairs_differ() -> None:
    assert choose(BANK, BUSY, [], seed=42) == choose(BANK, BUSY, [], seed=42)
    assert len({tuple(ids(choose(BANK, BUSY, [], seed=seed))) for seed in range(10)}) > 1


def test_placeholders_are_filled_and_long_values_cut_to_eighty_characters() -> None:
    long_goal = (
        "Publish a complete internal guide to our deployment pipeline, with diagrams, runbooks and FAQ"
    )
    long_blocker = "x" * 200
    state = MeetingState(meeting_number=3, behind=long_goal, blocker=long_blocker)

    texts = [c.text for seed in range(30) for c in choose(BANK, state, [], seed=seed)]

    assert not any("{" in text or "}" in text for text in texts)
    quoted = [text.split("“", 1)[1].split("”", 1)[0] for text in texts if "“" in text]
    assert quoted
    assert all(len(q) <= QUOTED_LIMIT for q in quoted)
    assert long_goal[: QUOTED_LIMIT - 1].rstrip() + "…" in quoted
    assert "x" * (QUOTED_LIMIT - 1) + "…" in quoted
    assert all(q.endswith("…") for q in quoted)


def test_a_short_value_is_quoted_whole_with_its_braces() -> None:
    state = MeetingState(meeting_number=3, blocker="the {legacy} API.")

    texts = [c.text for seed in range(10) for c in choose(BANK, state, [], seed=seed)]

    assert any("“the {legacy} API”" in text for text in texts)


def test_a_question_needing_a_goal_is_never_chosen_without_one() -> None:
    states = [
        MeetingState(meeting_number=n, blocker="no access", missed_lately=m, level=level)
        for n in (1, 2, 5)
        for m in (0, 2)
        for level in (None, *LEVELS)
    ]
    for state in states:
        for seed in range(5):
            for chosen in choose(BANK, state, [], seed=seed, count=len(STAGES)):
                template = next(q.text for q in BANK.questions if q.id == chosen.id)
                assert "{goal}" not in template, (state, chosen)


def test_a_goal_placeholder_without_a_goal_tag_waits_for_a_goal(tmp_path: Path) -> None:
    bank = load_bank(
        write_bank(
            tmp_path,
            entry("plain", "goal", "What now?") + entry("quotes", "reality", "How is “{goal}” going?"),
        )
    )

    assert ids(choose(bank, MeetingState(meeting_number=2), [], seed=1)) == ["plain"]
    assert [
        c.text for c in choose(bank, MeetingState(meeting_number=2, achieved="Demo day"), [], seed=1)
    ] == [
        "What now?",
        "How is “Demo day” going?",
    ]


def test_three_questions_when_the_bank_has_only_three_eligible(tmp_path: Path) -> None:
    bank = load_bank(
        write_bank(
            tmp_path,
            entry("g", "goal", "What now?")
            + entry("r", "reality", "What is true?")
            + entry("w", "way_forward", "What next?")
            + entry("late", "options", "How else, given the delay?", '["behind"]'),
        )
    )

    assert ids(choose(bank, MeetingState(meeting_number=2), [], seed=3)) == ["g", "r", "w"]


def test_a_state_that_makes_no_sense_is_refused() -> None:
    with pytest.raises(ValueError, match="meeting_number"):
        MeetingState(meeting_number=0)
    with pytest.raises(ValueError, match="level"):
        MeetingState(meeting_number=2, level="senior")
    with pytest.raises(ValueError, match="count"):
        choose(BANK, BUSY, [], seed=1, count=0)


def _chosen_over_seeds(state: MeetingState) -> list[Question]:
    """Every question chosen for `state` over many seeds."""
    by_id = {q.id: q for q in BANK.questions}
    return [by_id[c.id] for seed in range(50) for c in choose(BANK, state, [], seed=seed)]
