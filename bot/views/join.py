"""The sign-up / profile modal and the program settings modal."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.enrollment import (
    EXPERIENCE_LEVELS,
    MAX_CAPACITY,
    MAX_EXCLUDED,
    MEETING_FORMATS,
    ROLES,
    ProfileDefaults,
    ProgramChoice,
)
from bot.forms import MAX_LENGTH, fit
from bot.programs import (
    CADENCES,
    EXPORT_FREE_TEXT_ON,
    PAIRING_MODES,
    PULSE_WEEKS,
    REQUEST_DAYS,
    ProgramSettings,
)
from bot.views.common import clip, escape_text, mrkdwn
from bot.views.pairing import notice_modal


def _options(labels: dict[str, str]) -> list[Option]:
    return [Option(value=value, text=clip(label, 75)) for value, label in labels.items()]


def _initial(options: list[Option], values: tuple[str, ...] | list[str]) -> list[Option] | None:
    chosen = [option for option in options if option.value in values]
    return chosen or None


def _single(options: list[Option], value: str | None) -> Option | None:
    return next((option for option in options if option.value == value), None)


def join_modal(
    programs: list[ProgramChoice],
    program_id: int,
    defaults: ProfileDefaults,
    *,
    editing: bool,
    cohort: int | str | None = None,
) -> dict:
    """The sign-up modal; with `editing`, the same form to change a profile.

    `cohort` is what saving it joins: a cohort's id (its Join button), `ids.JOINING` (the
    program's cohort open for sign-up, for `/mentor join`), or nothing (a profile edit).
    """
    program = next(p for p in programs if p.program_id == program_id)
    blocks: list[Block] = []
    if len(programs) > 1:
        choices = [Option(value=str(p.program_id), text=clip(p.name, 75)) for p in programs]
        blocks.append(
            InputBlock(
                block_id=ids.JOIN_PROGRAM,
                label="Program",
                element=StaticSelectElement(
                    action_id=ids.VALUE, options=choices, initial_option=_single(choices, str(program_id))
                ),
            )
        )
    else:
        blocks.append(SectionBlock(text=mrkdwn(f"Joining *{escape_text(program.name)}*.")))
    roles = _options(ROLES)
    blocks.append(
        InputBlock(
            block_id=ids.JOIN_ROLE,
            label="How do you want to take part?",
            element=RadioButtonsElement(
                action_id=ids.VALUE, options=roles, initial_option=_single(roles, defaults.role)
            ),
        )
    )
    listed = {skill.casefold() for skill in program.skills}
    blocks += _skill_inputs(
        ids.JOIN_SKILLS,
        ids.JOIN_SKILLS_OTHER,
        "Skills you can offer as a mentor",
        program.skills,
        defaults.skills,
        listed,
        hint="Mentors only. Pick from the list, add your own below.",
    )
    blocks += _skill_inputs(
        ids.JOIN_GROWTH,
        ids.JOIN_GROWTH_OTHER,
        "Areas you want to grow in as a mentee",
        program.skills,
        defaults.growth_areas,
        listed,
        hint="Mentees only. Pick from the list, add your own below.",
    )
    levels = _options(EXPERIENCE_LEVELS)
    blocks.append(
        InputBlock(
            block_id=ids.JOIN_EXPERIENCE,
            label="Experience in your field",
            element=StaticSelectElement(
                action_id=ids.VALUE, options=levels, initial_option=_single(levels, defaults.experience_level)
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=ids.JOIN_MOTIVATIONS,
            label="What do you hope to get from mentorship?",
            hint=(
                "Your motivations shape what your pair works on. Your partner sees this; admins only "
                "if the program exports written answers."
            ),
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=MAX_LENGTH[ids.JOIN_MOTIVATIONS],
                initial_value=fit(ids.JOIN_MOTIVATIONS, defaults.motivations),
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=ids.JOIN_BACKGROUND,
            label="Your background",
            optional=True,
            hint="Your path so far, what you work on, anything your partner should know.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=MAX_LENGTH[ids.JOIN_BACKGROUND],
                initial_value=fit(ids.JOIN_BACKGROUND, defaults.background),
            ),
        )
    )
    formats = _options(MEETING_FORMATS)
    blocks.append(
        InputBlock(
            block_id=ids.JOIN_FORMATS,
            label="How do you like to meet?",
            element=CheckboxesElement(
                action_id=ids.VALUE,
                options=formats,
                initial_options=_initial(formats, defaults.meeting_formats),
            ),
        )
    )
    capacity = [Option(value=str(n), text=str(n)) for n in range(1, MAX_CAPACITY + 1)]
    blocks.append(
        InputBlock(
            block_id=ids.JOIN_CAPACITY,
            label="Mentees you can take at once",
            optional=True,
            hint="Mentors only.",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=capacity,
                initial_option=_single(capacity, str(defaults.mentor_capacity)),
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=ids.JOIN_TZ,
            label="Your time zone",
            hint="From your Slack profile; change it if you work elsewhere. A name like Europe/Berlin.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                max_length=MAX_LENGTH[ids.JOIN_TZ],
                initial_value=fit(ids.JOIN_TZ, defaults.tz),
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=ids.JOIN_EXCLUDE,
            label="Anyone you would rather not be paired with?",
            hint="Private: nobody is told, not them and not the admins. Matching and pairing keep you apart.",
            optional=True,
            element=UserMultiSelectElement(
                action_id=ids.VALUE,
                initial_users=list(defaults.excluded) or None,
                max_selected_items=MAX_EXCLUDED,
                placeholder="Your manager, say, or a close colleague",
            ),
        )
    )
    return View(
        type="modal",
        callback_id=ids.JOIN_MODAL,
        title="Your mentoring profile" if editing else "Join mentoring",
        submit="Save" if editing else "Join",
        close="Cancel",
        private_metadata=ids.encode_join_metadata(program_id, cohort),
        blocks=blocks,
    ).to_dict()


def _skill_inputs(
    picked_id: str,
    other_id: str,
    label: str,
    program_skills: tuple[str, ...],
    chosen: tuple[str, ...],
    listed: set[str],
    *,
    hint: str,
) -> list[Block]:
    options = [Option(value=clip(skill, 150), text=clip(skill, 75)) for skill in program_skills]
    picked = [skill for skill in chosen if skill.casefold() in listed]
    other = [skill for skill in chosen if skill.casefold() not in listed]
    # Skills the program no longer lists join these; show whole ones, as many as the field holds.
    while other and fit(other_id, ", ".join(other)) != ", ".join(other):
        other.pop()
    return [
        InputBlock(
            block_id=picked_id,
            label=label,
            optional=True,
            hint=hint,
            element=StaticMultiSelectElement(
                action_id=ids.VALUE, options=options, initial_options=_initial(options, picked)
            ),
        ),
        InputBlock(
            block_id=other_id,
            label="Others, separated by commas",
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                max_length=MAX_LENGTH[other_id],
                initial_value=fit(other_id, ", ".join(other)),
            ),
        ),
    ]


def program_modal(settings: ProgramSettings) -> dict:
    """The program settings modal for admins."""
    cadences = _options(CADENCES)
    pulses = [Option(value=weeks, text=f"{weeks} weeks") for weeks in PULSE_WEEKS]
    pairing = _options(PAIRING_MODES)
    request_days = [
        Option(value=days, text=f"{days} day{'s' if days != '1' else ''}") for days in REQUEST_DAYS
    ]
    export_options = [Option(value=EXPORT_FREE_TEXT_ON, text="Include what people wrote in exports")]
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.CONFIG_NAME,
            label="Program name",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                max_length=MAX_LENGTH[ids.CONFIG_NAME],
                initial_value=fit(ids.CONFIG_NAME, settings.name),
            ),
        ),
        InputBlock(
            block_id=ids.CONFIG_CHANNEL,
            label="Announce new pairs in",
            optional=True,
            hint="A public channel works at once; for a private one, invite mentorbot to it first.",
            element=ConversationSelectElement(
                action_id=ids.VALUE,
                initial_conversation=settings.announce_channel_id,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id=ids.CONFIG_SKILLS,
            label="Skills people pick from",
            hint="One per line, at most 100. People can add their own when they join.",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=MAX_LENGTH[ids.CONFIG_SKILLS],
                initial_value=fit(ids.CONFIG_SKILLS, "\n".join(settings.skills)),
            ),
        ),
        InputBlock(
            block_id=ids.CONFIG_CADENCE,
            label="Default check-in cadence",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=cadences,
                initial_option=_single(cadences, settings.default_cadence),
            ),
        ),
        InputBlock(
            block_id=ids.CONFIG_PULSE,
            label="Pulse question every",
            hint="Each member is asked how their mentorship is going, from 1 to 5.",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=pulses,
                initial_option=_single(pulses, str(settings.pulse_every_weeks)),
            ),
        ),
        InputBlock(
            block_id=ids.CONFIG_PAIRING,
            label="How pairs are made",
            hint="When mentees ask, they browse mentors with room (`/mentor mentors`) and ask one.",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=pairing,
                initial_option=_single(pairing, settings.pairing_mode),
            ),
        ),
        InputBlock(
            block_id=ids.CONFIG_REQUEST_DAYS,
            label="A request waits for an answer",
            element=StaticSelectElement(
                action_id=ids.VALUE,
                options=request_days,
                initial_option=_single(request_days, str(settings.request_days)),
            ),
        ),
        InputBlock(
            block_id=ids.CONFIG_ADMINS,
            label="Program admins",
            optional=True,
            hint="Besides the workspace's admins and owners.",
            element=UserMultiSelectElement(
                action_id=ids.VALUE, initial_users=list(settings.admin_user_ids) or None
            ),
        ),
        InputBlock(
            block_id=ids.CONFIG_EXPORT_FREE_TEXT,
            label="Export free text",
            optional=True,
            hint=(
                "Off by default: /mentor export leaves out what people wrote (motivations, background, "
                "agreement expectations and places, check-in answers, goal texts). Closing feedback, "
                "progress notes and pulse comments are never exported."
            ),
            element=CheckboxesElement(
                action_id=ids.VALUE,
                options=export_options,
                initial_options=export_options if settings.export_free_text else None,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.CONFIG_MODAL,
        title="Program settings",
        submit="Save",
        close="Cancel",
        private_metadata=str(settings.program_id),
        blocks=blocks,
    ).to_dict()


def welcome_modal(cohort: str | None = None, *, new: bool = True) -> dict:
    """What the sign-up form turns into once saved: welcome, and what happens next."""
    text = (
        "Welcome to mentoring! Your profile is saved. An admin will pair you, and I will introduce "
        "you both in a group message. `/mentor profile` changes your profile at any time."
        if new
        else "Your profile is saved."
    )
    return notice_modal("Welcome" if new else "Saved", f"{text}\n\n{cohort}" if cohort else text)
