"""Messages and forms of a cohort: the cohort form and list, sign-up, the start, the midpoint,
graduation and the end. Pure functions of plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.forms import MAX_LENGTH
from bot.views.common import (
    MAX_BLOCKS_MESSAGE,
    MAX_BLOCKS_VIEW,
    clip,
    context,
    escape_text,
    escaped,
    mrkdwn,
    plural,
    render,
    user,
)

OUT_OF_DATE = "This form is out of date: open it again from its message."
ONLY_ADMINS = "Only the program's admins can change its cohorts."
ONLY_ACTIVE = "Only active members of this workspace can join mentoring."
MIDPOINT_THANKS = "Thank you: your midpoint answer is in. You can change it until graduation."
NOTE_UNSENT = (
    "Your note was not passed on: the program's only admins are in your mentorship. "
    "Talk to your People team, or use `/mentor end` if it is not working."
)
ON_TRACK_LABELS = {"yes": "Yes", "partly": "Partly", "no": "Not really"}
RATING_LABELS = {"achieved": "Achieved", "partly": "Partly", "not_yet": "Not yet"}
GRADUATION_LABELS = {
    "3": "3 days before the end",
    "7": "A week before the end",
    "14": "Two weeks before the end",
}


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


@dataclass(frozen=True)
class CohortInfo:
    """What a cohort's messages say about it."""

    cohort_id: int
    name: str
    program_name: str
    signup_closes_on: date
    starts_on: date
    ends_on: date
    midpoint_on: date
    graduation_on: date

    @property
    def title(self) -> str:
        """The cohort as people read it: “Spring 2027 of Mentorship”."""
        return f"{escape_text(self.name)} of {escape_text(self.program_name)}"


# -- admins: the form and the list ---------------------------------------------------------------


@dataclass(frozen=True)
class CohortFormData:
    """What the cohort form opens with."""

    program_id: int
    program_name: str
    cohort_id: int | None = None
    name: str = ""
    days: tuple[date, date, date, date] | None = None  # sign-up opens, closes, start, end
    graduation_days: int = 7
    auto_match: bool = False


def cohort_modal(data: CohortFormData) -> dict:
    """The form that creates a cohort or changes one."""
    days = data.days
    pickers = [
        (ids.COHORT_SIGNUP_OPENS, "Sign-up opens", "The channel gets an announcement with a Join button."),
        (ids.COHORT_SIGNUP_CLOSES, "Sign-up closes", "People can join until the end of this day."),
        (ids.COHORT_STARTS, "The cohort starts", "Matching runs, or you are asked to review it."),
        (ids.COHORT_ENDS, "The cohort ends", "Pairs are completed and thanked; the midpoint is halfway."),
    ]
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.COHORT_NAME,
            label="Name",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                initial_value=data.name or None,
                max_length=MAX_LENGTH[ids.COHORT_NAME],
                placeholder="Spring 2027",
            ),
        )
    ]
    for index, (block_id, label, hint) in enumerate(pickers):
        blocks.append(
            InputBlock(
                block_id=block_id,
                label=label,
                hint=hint,
                element=DatePickerElement(
                    action_id=ids.VALUE, initial_date=days[index].isoformat() if days else None
                ),
            )
        )
    graduation = [Option(value=value, text=label) for value, label in GRADUATION_LABELS.items()]
    auto = Option(value=ids.COHORT_AUTO_MATCH, text="Match and introduce pairs on the first day")
    blocks += [
        InputBlock(
            block_id=ids.COHORT_GRADUATION_DAYS,
            label="Graduation",
            hint="When pairs re-rate their goals and answer a short closing survey.",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=graduation,
                initial_option=next(
                    (o for o in graduation if o.value == str(data.graduation_days)), graduation[1]
                ),
            ),
        ),
        InputBlock(
            block_id=ids.COHORT_AUTO_MATCH,
            label="At the start",
            optional=True,
            hint="Without it, you are asked to review the proposed pairs on the first day.",
            element=CheckboxesElement(
                action_id=ids.VALUE, options=[auto], initial_options=[auto] if data.auto_match else None
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.COHORT_MODAL,
        title="Change the cohort" if data.cohort_id is not None else "New cohort",
        submit="Save",
        close="Cancel",
        private_metadata=ids.encode_cohort_metadata(data.program_id, data.cohort_id),
        blocks=blocks,
    ).to_dict()


@dataclass(frozen=True)
class CohortLine:
    """One cohort in the admins' list."""

    info: CohortInfo
    signup_opens_on: date
    stage: str
    people: int
    pairs: int


def cohorts_message(program_id: int, program_name: str, lines: list[CohortLine]) -> dict:
    """`/mentor cohort`: the program's cohorts, each with a Change button, and a New cohort button."""
    blocks: list[Block] = []
    if not lines:
        blocks.append(
            SectionBlock(
                text=mrkdwn(
                    f"{escape_text(program_name)} is open-ended: people join any time and pairs run until "
                    "they end. Run it in cohorts to give it a sign-up window, a start, a midpoint and a "
                    "graduation."
                )
            )
        )
    for line in lines[-(MAX_BLOCKS_MESSAGE - 2) :]:
        info = line.info
        blocks.append(
            SectionBlock(
                text=mrkdwn(
                    f"*{escape_text(info.name)}* ({line.stage}): sign-up {_day(line.signup_opens_on)} to "
                    f"{_day(info.signup_closes_on)}, runs {_day(info.starts_on)} to {_day(info.ends_on)}. "
                    f"{plural(line.people, 'person', 'people')} signed up, {plural(line.pairs, 'pair')}."
                ),
                accessory=ButtonElement(text="Change", action_id=ids.COHORT_EDIT, value=str(info.cohort_id)),
            )
        )
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="New cohort", action_id=ids.COHORT_NEW, value=str(program_id), style="primary"
                )
            ]
        )
    )
    return {"text": f"Cohorts of {escape_text(program_name)}", "blocks": render(blocks)}


# -- sign-up and the start -------------------------------------------------------------------------


def signup_announcement(info: CohortInfo, *, open_: bool, joined: int) -> dict:
    """The channel's announcement: Join while sign-up is open; how many joined once it closed."""
    if open_:
        text = (
            f"Sign-up is open for *{info.title}*: from {_day(info.starts_on)} to {_day(info.ends_on)}, "
            "each mentee meets a mentor regularly, sets goals and looks back on them at graduation. "
            f"Join by {_day(info.signup_closes_on)}; if you have a profile from before, one click keeps it."
        )
        blocks: list[Block] = [
            SectionBlock(text=mrkdwn(text)),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Join", action_id=ids.COHORT_JOIN, value=str(info.cohort_id), style="primary"
                    )
                ]
            ),
        ]
        return {"text": f"Sign-up is open for {escape_text(info.name)}", "blocks": render(blocks)}
    text = (
        f"Sign-up for *{info.title}* has closed: {plural(joined, 'person', 'people')} joined. "
        f"It runs from {_day(info.starts_on)} to {_day(info.ends_on)}."
    )
    return {
        "text": f"Sign-up for {escape_text(info.name)} has closed",
        "blocks": render([SectionBlock(text=mrkdwn(text))]),
    }


def no_channel(info: CohortInfo) -> dict:
    """To admins: sign-up opened, but the program has no channel to announce it in."""
    text = (
        f"Sign-up for *{info.title}* is open until {_day(info.signup_closes_on)}, but the program has no "
        "channel to announce it in: choose one with `/mentor config`, or tell people that `/mentor join` "
        "signs them up."
    )
    return {"text": text}


def joined_text(name: str, program_name: str, starts_on: date, *, already: bool) -> str:
    """What the person who joined a cohort is told, right where they clicked."""
    if already:
        return f"You are in {escape_text(name)} already. It starts {_day(starts_on)}."
    return (
        f"You are in {escape_text(name)} of {escape_text(program_name)}, with the profile you have. "
        f"It starts {_day(starts_on)}; `/mentor profile` changes what you wrote."
    )


def start_prompt(info: CohortInfo, mentors: int, mentees: int) -> dict:
    """To admins on the first day: review the proposed pairs."""
    text = (
        f"*{info.title}* starts today: {plural(mentors, 'mentor')} and {plural(mentees, 'mentee')} "
        "signed up. Review the proposed pairs, and I introduce each pair once you confirm."
    )
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Review the pairs",
                    action_id=ids.COHORT_MATCH,
                    value=str(info.cohort_id),
                    style="primary",
                )
            ]
        ),
    ]
    return {"text": f"{escape_text(info.name)} starts today", "blocks": render(blocks)}


def started_matched(info: CohortInfo, pairs: int, unmatched: int) -> dict:
    """To admins on the first day of a cohort that matches itself."""
    text = f"*{info.title}* started today: I made and introduced {plural(pairs, 'pair')}."
    if unmatched:
        text += (
            f" {plural(unmatched, 'mentee')} found no mentor with room: `/mentor list` shows them, "
            "`/mentor pair` pairs them by hand."
        )
    return {"text": text}


# -- the midpoint ----------------------------------------------------------------------------------


def midpoint_question(
    info: CohortInfo, pair_id: int, partner_user_id: str, *, answered: bool = False, note_unsent: bool = False
) -> dict:
    """To each member, privately, halfway through; once answered, it says so and offers a change."""
    text = (
        f"You are halfway through *{info.title}* with {user(partner_user_id)}. How is it going? "
        "Three quick questions: the program's admins see only totals, and a note if you write them one."
    )
    label = "Change my answer" if answered else "Answer (1 minute)"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(elements=[ButtonElement(text=label, action_id=ids.MIDPOINT_OPEN, value=str(pair_id))]),
    ]
    if answered:
        blocks.append(context(f"✓ {MIDPOINT_THANKS}"))
    if note_unsent:
        blocks.append(context(NOTE_UNSENT))
    return {"text": f"Halfway through {escape_text(info.name)}: how is it going?", "blocks": render(blocks)}


def midpoint_modal(pair_id: int, partner_user_id_name: str, channel: str | None, ts: str | None) -> dict:
    """The midpoint check: how it is going, on track or not, and a note for admins."""
    ratings = [Option(value=str(n), text=f"{n} {'★' * n}") for n in range(5, 0, -1)]
    on_track = [Option(value=value, text=label) for value, label in ON_TRACK_LABELS.items()]
    return View(
        type="modal",
        callback_id=ids.MIDPOINT_MODAL,
        title="Halfway",
        submit="Send",
        close="Later",
        private_metadata=ids.encode_pair_message(pair_id, channel, ts),
        blocks=[
            InputBlock(
                block_id=ids.MIDPOINT_RATING,
                label=f"How is your mentorship with {clip(partner_user_id_name, 80)} going?",
                element=StaticSelectElement(action_id=ids.VALUE, options=ratings),
            ),
            InputBlock(
                block_id=ids.MIDPOINT_ON_TRACK,
                label="Are you on track with your goals?",
                element=RadioButtonsElement(action_id=ids.VALUE, options=on_track),
            ),
            InputBlock(
                block_id=ids.MIDPOINT_NOTE,
                label="Anything the program's admins should know?",
                hint="Sent to the admins with your name. Your partner does not see it.",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ids.VALUE, multiline=True, max_length=MAX_LENGTH[ids.MIDPOINT_NOTE]
                ),
            ),
        ],
    ).to_dict()


def midpoint_note(info: CohortInfo, user_id: str, partner_user_id: str, note: str) -> dict:
    """To admins: what a member wrote to them at the midpoint, as they asked."""
    text = (
        f"{user(user_id)} wrote to the admins at the midpoint of *{info.title}* "
        f"(their partner is {user(partner_user_id)}):\n>{escaped(note, 2500).replace(chr(10), chr(10) + '>')}"
    )
    return {"text": text}


@dataclass(frozen=True)
class MidpointTotals:
    """The midpoint at a glance for admins: counts and an average, never anyone's words."""

    asked: int  # members of pairs that were asked
    answered: int
    average: float | None  # None below five answers
    on_track: dict[str, int] | None  # yes / partly / no, None below five answers
    attention: tuple[tuple[int, str, str], ...]  # (pair id, mentor, mentee) that need a look


def midpoint_report(info: CohortInfo, totals: MidpointTotals) -> dict:
    """To admins, three days after the midpoint: totals and the pairs that need a look, to nudge or pause."""
    lines = [f"*Midpoint of {info.title}*: {totals.answered} of {totals.asked} members answered."]
    if totals.average is None or totals.on_track is None:
        lines.append(
            "The average and the on-track counts show from five answers, so nobody can be singled out."
        )
    else:
        track = ", ".join(f"{ON_TRACK_LABELS[k].lower()} {v}" for k, v in totals.on_track.items())
        lines.append(f"How it is going: {totals.average:.1f} of 5 on average. On track with goals: {track}.")
    blocks: list[Block] = [SectionBlock(text=mrkdwn("\n".join(lines)))]
    if totals.attention:
        shown = totals.attention[: MAX_BLOCKS_MESSAGE - 4]
        blocks.append(
            context(
                f"{plural(len(totals.attention), 'pair')} may need a look (a low rating, off track, "
                "no meeting yet, or paused):"
            )
        )
        for pair_id, mentor, mentee in shown:
            blocks.append(
                SectionBlock(
                    text=mrkdwn(f"{user(mentor)} → {user(mentee)}"),
                    accessory=ButtonElement(
                        text="Nudge pair", action_id=ids.INSIGHTS_NUDGE, value=str(pair_id)
                    ),
                )
            )
    else:
        blocks.append(context("No pair needs attention."))
    return {
        "text": f"Midpoint of {escape_text(info.name)}: {totals.answered} of {totals.asked} answered",
        "blocks": render(blocks),
    }


# -- graduation and the end ------------------------------------------------------------------------


@dataclass(frozen=True)
class GraduationState:
    """Where a pair stands with graduation and the end of its cohort."""

    pair_id: int
    info: CohortInfo
    mentor_user_id: str
    mentee_user_id: str
    goals: int
    goals_rated: int
    answered: tuple[str, ...]  # who answered the closing survey
    choices: dict[str, str] = field(default_factory=dict)  # user id -> keep | close
    completed: bool = False
    next_cohort: CohortInfo | None = None


def _progress(state: GraduationState) -> str:
    goals = (
        f"Goals re-rated: {state.goals_rated} of {state.goals}." if state.goals else "No goals to re-rate."
    )
    surveys = " ".join(
        f"{user(u)} {'✓ answered' if u in state.answered else 'not yet'}."
        for u in (state.mentee_user_id, state.mentor_user_id)
    )
    return f"{goals} Closing survey: {surveys}"


def graduation_message(state: GraduationState) -> dict:
    """In the pair's group DM, near the end: re-rate the goals, answer the closing survey."""
    info = state.info
    text = (
        f"{user(state.mentee_user_id)} and {user(state.mentor_user_id)}: *{info.title}* ends on "
        f"{_day(info.ends_on)}. Before then, look back together: how far did each goal get? And each of you, "
        "two minutes for the closing survey (your answers stay private; admins see only averages)."
    )
    buttons = [ButtonElement(text="Closing survey", action_id=ids.CLOSING_OPEN, value=str(state.pair_id))]
    if state.goals:
        buttons.insert(
            0,
            ButtonElement(
                text="Re-rate our goals",
                action_id=ids.GRADUATION_GOALS_OPEN,
                value=str(state.pair_id),
                style="primary",
            ),
        )
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(elements=buttons),
        context(_progress(state)),
    ]
    return {
        "text": f"{escape_text(info.name)} ends on {_day(info.ends_on)}: time to look back",
        "blocks": render(blocks),
    }


CHOICE_LABELS = {"keep": "keeps meeting", "close": "closed"}


def completion_message(state: GraduationState) -> dict:
    """In the pair's group DM at the end: thanks, and each member's choice of what comes next."""
    info = state.info
    text = (
        f"Congratulations, {user(state.mentee_user_id)} and {user(state.mentor_user_id)}: you completed "
        f"*{info.title}*. Thank you for the time you gave each other. From now on mentorbot sends you "
        "nothing more about it. What next? Each of you:"
    )
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Keep meeting on our own",
                    action_id=ids.AFTER_KEEP,
                    value=str(state.pair_id),
                    style="primary",
                ),
                ButtonElement(text="Close", action_id=ids.AFTER_CLOSE, value=str(state.pair_id)),
            ]
        ),
    ]
    chosen = [f"{user(u)} {CHOICE_LABELS.get(c, c)}." for u, c in state.choices.items()]
    blocks.append(
        context(
            " ".join(chosen)
            or "Keep meeting: your calendar stays as it is. Close: the meetings leave your calendars."
        )
    )
    if state.answered != (state.mentee_user_id, state.mentor_user_id) and len(state.answered) < 2:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="Closing survey", action_id=ids.CLOSING_OPEN, value=str(state.pair_id))
                ]
            )
        )
    following = state.next_cohort
    if following is not None:
        blocks += [
            SectionBlock(
                text=mrkdwn(
                    f"*{escape_text(following.name)}* starts {_day(following.starts_on)}: join with one "
                    "click, keeping your profile. You will meet someone new."
                ),
                accessory=ButtonElement(
                    text="Join", action_id=ids.COHORT_JOIN, value=str(following.cohort_id)
                ),
            )
        ]
    return {"text": f"You completed {escape_text(info.name)}: thank you", "blocks": render(blocks)}


@dataclass(frozen=True)
class GoalToRate:
    """One goal in the graduation form."""

    goal_id: int
    specific: str
    rating: str | None


@dataclass(frozen=True)
class GoalsToRate:
    """The pair's goals for the graduation form."""

    pair_id: int
    goals: tuple[GoalToRate, ...]


def goals_modal(goals: GoalsToRate, channel: str | None, ts: str | None) -> dict:
    """Re-rate each goal: achieved, partly, not yet."""
    options = [Option(value=value, text=label) for value, label in RATING_LABELS.items()]
    blocks: list[Block] = []
    for goal in goals.goals[: MAX_BLOCKS_VIEW - 1]:
        blocks.append(
            InputBlock(
                block_id=ids.encode_goal_rating(goal.goal_id),
                label=clip(goal.specific, 150),
                optional=True,
                element=RadioButtonsElement(
                    action_id=ids.VALUE,
                    options=options,
                    initial_option=next((o for o in options if o.value == goal.rating), None),
                ),
            )
        )
    if not blocks:
        blocks.append(SectionBlock(text=mrkdwn("This mentorship has no goals to re-rate.")))
    return View(
        type="modal",
        callback_id=ids.GRADUATION_GOALS_MODAL,
        title="Our goals",
        submit="Save" if goals.goals else None,
        close="Cancel",
        private_metadata=ids.encode_pair_message(goals.pair_id, channel, ts),
        blocks=blocks,
    ).to_dict()


def closing_modal(pair_id: int, partner_name: str, channel: str | None, ts: str | None) -> dict:
    """The closing survey: a rating, what changed, and how likely one is to recommend the program."""
    ratings = [Option(value=str(n), text=f"{n} {'★' * n}") for n in range(5, 0, -1)]
    recommend = [Option(value=str(n), text=str(n)) for n in range(10, -1, -1)]
    return View(
        type="modal",
        callback_id=ids.CLOSING_MODAL,
        title="Closing survey",
        submit="Send",
        close="Later",
        private_metadata=ids.encode_pair_message(pair_id, channel, ts),
        blocks=[
            context("Only you see what you write here. Admins see averages of five answers or more."),
            InputBlock(
                block_id=ids.CLOSING_RATING,
                label=f"How was your mentorship with {clip(partner_name, 80)}?",
                element=StaticSelectElement(action_id=ids.VALUE, options=ratings),
            ),
            InputBlock(
                block_id=ids.CLOSING_CHANGED,
                label="What changed for you?",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ids.VALUE, multiline=True, max_length=MAX_LENGTH[ids.CLOSING_CHANGED]
                ),
            ),
            InputBlock(
                block_id=ids.CLOSING_RECOMMEND,
                label="How likely are you to recommend the program to a colleague? (0-10)",
                element=StaticSelectElement(action_id=ids.VALUE, options=recommend),
            ),
        ],
    ).to_dict()


def after_text(choice: str) -> str:
    """What the member who chose is told, ephemerally."""
    if choice == "keep":
        return "Noted: you keep meeting on your own. Your calendar stays as it is, and mentorbot stays quiet."
    return "Noted: closed. I am sending a file that takes your meetings out of your calendars."
