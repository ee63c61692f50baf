"""The schema: SQLAlchemy 2 typed models for workspaces, programs, people, profiles and pairs.

Every row that belongs to a workspace carries its Slack `team_id`, so one deployment can serve
several workspaces. Enumerations are stored as short strings guarded by CHECK constraints, which
migrate cleanly on both SQLite and PostgreSQL. Changes here need an Alembic migration in
`storage/migrations/versions/`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, utcnow

# Named constraints keep Alembic migrations deterministic across databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SLACK_ID = String(32)


class Base(DeclarativeBase):
    """Declarative base with aware datetimes and named constraints."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Role(StrEnum):
    """How someone takes part in a program."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"


class PairStatus(StrEnum):
    """Where a mentorship stands."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"  # ended early, by a member or an admin
    COMPLETED = "completed"  # ran to its cohort's end: done as planned, not ended early


# A pair that still runs: at most one per mentor and mentee, and the ones a mentor's capacity counts.
OPEN_STATUSES = (PairStatus.ACTIVE.value, PairStatus.PAUSED.value)
OPEN_PAIR = "status IN ('active', 'paused')"


def _in(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


class Workspace(Base):
    """A Slack workspace (team) that has talked to mentorbot, or an Enterprise Grid org installed org-wide.

    An org-wide install keeps one world for the whole org: its `team_id` is the org's id (E...),
    so a person in several of its workspaces is one person, and `enterprise_id` is that same id.
    """

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(SLACK_ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When users.list last told mentorbot who the workspace's admins and owners are (daily).
    admins_checked_at: Mapped[datetime | None]
    # The Enterprise Grid org the workspace belongs to, when Slack said so.
    enterprise_id: Mapped[str | None] = mapped_column(SLACK_ID)
    # When the app was uninstalled or its tokens revoked: nothing is sent from then on, and the
    # workspace's rows are deleted once the retention period has passed. None while installed.
    uninstalled_at: Mapped[datetime | None]
    # A lease: the one process refreshing this workspace's rotating token holds it until then.
    token_refresh_until: Mapped[datetime | None]
    # An org installed org-wide: when Slack first said which of its workspaces were granted.
    teams_granted_at: Mapped[datetime | None]


class GrantedTeam(Base):
    """A workspace of an Enterprise Grid org that an org-wide install may answer in (team_access_granted)."""

    __tablename__ = "granted_teams"

    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"), primary_key=True)
    slack_team_id: Mapped[str] = mapped_column(SLACK_ID, primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Program(Base):
    """A mentorship program in a workspace; each workspace has one default program."""

    __tablename__ = "programs"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        Index(
            "uq_programs_one_default_per_team",
            "team_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    announce_channel_id: Mapped[str | None] = mapped_column(SLACK_ID)
    # The skills people pick from when they join; admins extend it in /mentor config.
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    admin_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_cadence: Mapped[str] = mapped_column(String(10), default="biweekly")
    pulse_every_weeks: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    # Exports leave out what people wrote unless an admin of the program allows it.
    export_free_text: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # How pairs are made: by admins only, or mentees ask a mentor (who decides, or admins approve).
    pairing_mode: Mapped[str] = mapped_column(String(20), default="admins", server_default="admins")
    request_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")  # a request lasts
    # Who started the program or last saved its settings: they hear its reports and alerts.
    configured_by_user_id: Mapped[str | None] = mapped_column(SLACK_ID)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]


class Person(Base):
    """Someone in a workspace whom mentorbot knows, whether or not they have joined a program."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(SLACK_ID)
    display_name: Mapped[str | None] = mapped_column(String(255))
    # An IANA zone name from users.info, never an offset: offsets change with daylight saving.
    tz: Mapped[str | None] = mapped_column(String(64))
    deactivated_at: Mapped[datetime | None]
    # People can say no to being suggested by `/mentor find` and introduced by mentors.
    no_introductions: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # A workspace admin or owner, as users.list said at the workspace's last daily check.
    workspace_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    forgotten_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Profile(Base):
    """A person's enrollment in one program: their role and what they bring or want to grow."""

    __tablename__ = "profiles"
    __table_args__ = (
        UniqueConstraint("program_id", "person_id"),
        CheckConstraint(_in("role", Role), name="role"),
        CheckConstraint("mentor_capacity >= 0 AND mentor_capacity <= 20", name="mentor_capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    mentor_capacity: Mapped[int] = mapped_column(Integer, default=1)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    growth_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    meeting_formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    experience_level: Mapped[str | None] = mapped_column(String(20))
    motivations: Mapped[str | None] = mapped_column(Text)
    background: Mapped[str | None] = mapped_column(Text)
    tz_override: Mapped[str | None] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()


class Pair(Base):
    """A mentorship between a mentor and a mentee in a program."""

    __tablename__ = "pairs"
    __table_args__ = (
        CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        CheckConstraint(_in("status", PairStatus), name="status"),
        # At most one open (active or paused) pair per mentor and mentee; past pairs stay as history.
        Index(
            "uq_pairs_open_mentor_mentee",
            "program_id",
            "mentor_id",
            "mentee_id",
            unique=True,
            sqlite_where=text(OPEN_PAIR),
            postgresql_where=text(OPEN_PAIR),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PairStatus.ACTIVE.value)
    match_reason: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[str | None] = mapped_column(SLACK_ID)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paused_at: Mapped[datetime | None]
    resumed_at: Mapped[datetime | None]  # check-ins due before it no longer count as unanswered
    ended_at: Mapped[datetime | None]
    ended_by_user_id: Mapped[str | None] = mapped_column(SLACK_ID)
    # The cohort the pair was matched in (null in an open-ended program) and when it ran to its end.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    completed_at: Mapped[datetime | None]
    # The pair's group DM with mentor and mentee, once it has been opened.
    dm_channel_id: Mapped[str | None] = mapped_column(SLACK_ID)
    # When the clock next asks this pair to check in; null without an agreement or while not active.
    # When the clock next posts this pair's meeting card (the working day before the meeting, by
    # default), and the meeting that card is about; both null without an agreement or while not active.
    next_checkin_at: Mapped[datetime | None] = mapped_column(index=True)
    next_meeting_at: Mapped[datetime | None]
    unanswered_checkins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    at_risk_since: Mapped[datetime | None]
    drift_asked_at: Mapped[datetime | None]
    fit_asked_at: Mapped[datetime | None]
    next_pulse_at: Mapped[datetime | None] = mapped_column(index=True)

    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Person] = relationship(foreign_keys=[mentee_id])

    # Pair membership has this one home: who is in the pair, and who a member's partner is.
    def has_member(self, person_id: int) -> bool:
        """Whether the person with this id is the pair's mentor or mentee."""
        return person_id in (self.mentor_id, self.mentee_id)

    def partner_of(self, person_id: int) -> Person:
        """The other member of the pair, for one of its members."""
        return self.mentee if person_id == self.mentor_id else self.mentor


class RequestStatus(StrEnum):
    """Where a mentee's request for a mentor stands."""

    PENDING = "pending"  # waiting for the mentor
    APPROVING = "approving"  # the mentor accepted; waiting for an admin's approval
    ACCEPTED = "accepted"  # a pair was made
    DECLINED = "declined"  # the mentor (or an admin) said no
    WITHDRAWN = "withdrawn"  # the mentee took it back
    EXPIRED = "expired"  # nobody answered in time


OPEN_REQUEST = "status IN ('pending', 'approving')"


class MentorRequest(Base):
    """A mentee asking a mentor: one open request per mentee and program; admins see counts only."""

    __tablename__ = "mentor_requests"
    __table_args__ = (
        CheckConstraint(_in("status", RequestStatus), name="status"),
        CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        Index(
            "uq_mentor_requests_one_open",
            "program_id",
            "mentee_id",
            unique=True,
            sqlite_where=text(OPEN_REQUEST),
            postgresql_where=text(OPEN_REQUEST),
        ),
        Index("ix_mentor_requests_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]  # when the mentor (or an admin) answered
    decline_reason: Mapped[str | None] = mapped_column(Text)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id"))


class Exclusion(Base):
    """Someone a person would rather not be paired with, in any program of the workspace.

    Private to the person who wrote it: nobody is told, admins included; matching, browsing and
    pairing by hand keep the two apart, in both directions.
    """

    __tablename__ = "exclusions"
    __table_args__ = (
        UniqueConstraint("person_id", "excluded_id"),
        CheckConstraint("person_id <> excluded_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    excluded_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PairFeedback(Base):
    """A member's closing rating and comment on a pair; admins see only aggregates."""

    __tablename__ = "pair_feedback"
    __table_args__ = (
        UniqueConstraint("pair_id", "person_id"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cohort(Base):
    """One run of a program: a sign-up window, a start, a midpoint, a graduation and an end.

    Its dates are days in `tz` (the zone of the admin who created it): each step happens on the
    morning of its day there, and each person's part of it waits for their own daytime. The
    `*_at` markers say which steps are done, so the clock takes each step once.
    """

    __tablename__ = "cohorts"
    __table_args__ = (
        UniqueConstraint("program_id", "name"),
        CheckConstraint("signup_opens_on <= signup_closes_on", name="signup_window"),
        CheckConstraint("signup_opens_on <= starts_on AND starts_on < ends_on", name="dates"),
        CheckConstraint("graduation_days >= 1 AND graduation_days <= 30", name="graduation_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    tz: Mapped[str] = mapped_column(String(64))
    signup_opens_on: Mapped[date] = mapped_column(Date)
    signup_closes_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    graduation_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    auto_match: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_by_user_id: Mapped[str] = mapped_column(SLACK_ID)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The sign-up announcement in the program's channel, edited in place when sign-up closes.
    announcement_channel: Mapped[str | None] = mapped_column(SLACK_ID)
    announced_at: Mapped[datetime | None]
    signup_closed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    midpoint_at: Mapped[datetime | None]
    midpoint_report_at: Mapped[datetime | None]
    graduation_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # When the clock next has a step of this cohort to take; null once it has taken them all.
    next_step_at: Mapped[datetime | None] = mapped_column(index=True)


class CohortMember(Base):
    """Someone who signed up for a cohort, with the profile they keep in its program."""

    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class MidpointCheck(Base):
    """A member's private answer halfway through a cohort: how it goes, and whether on track."""

    __tablename__ = "midpoint_checks"
    __table_args__ = (
        UniqueConstraint("pair_id", "person_id"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating"),
        CheckConstraint("on_track IN ('yes', 'partly', 'no')", name="on_track"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    rating: Mapped[int] = mapped_column(Integer)
    on_track: Mapped[str] = mapped_column(String(10))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClosingSurvey(Base):
    """A member's closing survey of a pair and what they chose at its end; admins see averages only."""

    __tablename__ = "closing_surveys"
    __table_args__ = (
        UniqueConstraint("pair_id", "person_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        CheckConstraint("recommend IS NULL OR (recommend >= 0 AND recommend <= 10)", name="recommend"),
        CheckConstraint("choice IS NULL OR choice IN ('keep', 'close')", name="choice"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    rating: Mapped[int | None] = mapped_column(Integer)
    what_changed: Mapped[str | None] = mapped_column(Text)
    recommend: Mapped[int | None] = mapped_column(Integer)  # how likely to recommend the program, 0-10
    answered_at: Mapped[datetime | None]
    choice: Mapped[str | None] = mapped_column(String(10))  # at the end: keep meeting, or close
    chosen_at: Mapped[datetime | None]


class ProposalStatus(StrEnum):
    """What became of a proposed match."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DROPPED = "dropped"


class MatchRun(Base):
    """One `/mentor match`: the proposals an admin reviews and confirms together."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    created_by_user_id: Mapped[str] = mapped_column(SLACK_ID)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"))  # matching one cohort's people

    proposals: Mapped[list[MatchProposal]] = relationship(
        back_populates="run", order_by="MatchProposal.id", cascade="all, delete-orphan"
    )


class MatchProposal(Base):
    """A proposed mentor-mentee pair within a match run."""

    __tablename__ = "match_proposals"
    __table_args__ = (
        UniqueConstraint("run_id", "mentee_id"),
        CheckConstraint(_in("status", ProposalStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default=ProposalStatus.PROPOSED.value)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id"))

    run: Mapped[MatchRun] = relationship(back_populates="proposals")
    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Person] = relationship(foreign_keys=[mentee_id])


class Agreement(Base):
    """How a pair agreed to meet; one per pair, the last save wins."""

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("frequency IN ('weekly', 'biweekly', 'monthly')", name="frequency"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), unique=True)
    frequency: Mapped[str] = mapped_column(String(10))
    weekday: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[str] = mapped_column(String(5))  # HH:MM wall-clock time in `tz`
    tz: Mapped[str] = mapped_column(String(64))
    meeting_format: Mapped[str] = mapped_column(String(10))
    location: Mapped[str | None] = mapped_column(String(500))
    start_date: Mapped[date] = mapped_column(Date)
    expectations: Mapped[str | None] = mapped_column(Text)
    saved_by_user_id: Mapped[str] = mapped_column(SLACK_ID)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The calendar file's UID and SEQUENCE: one UID for the agreement's whole life, so each new file
    # updates the series already in people's calendars (random, so no two deployments share one),
    # and a sequence raised at every change.
    calendar_uid: Mapped[str] = mapped_column(String(255), default=lambda: f"{uuid.uuid4()}@mentorbot")
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The meeting loop: the mentee is asked to prepare this many working days before each meeting
    # (0: the morning of it; -1: never), and both are reminded this many minutes before (0: never).
    prep_days: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")


class GoalStatus(StrEnum):
    """Where a goal stands."""

    ACTIVE = "active"
    ACHIEVED = "achieved"
    MISSED = "missed"
    DROPPED = "dropped"


class Goal(Base):
    """A mentee's SMART goal within a pair."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(_in("status", GoalStatus), name="status"),
        Index("ix_goals_status_deadline", "status", "deadline"),
        CheckConstraint("measure_kind IN ('target', 'milestones')", name="measure_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    specific: Mapped[str] = mapped_column(Text)
    measure_kind: Mapped[str] = mapped_column(String(10))
    target_value: Mapped[float | None] = mapped_column(Float)
    target_unit: Mapped[str | None] = mapped_column(String(60))
    # Where a target goal starts (CSAT 82 -> 90 starts at 82); below the start, it counts down.
    start_value: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    current_value: Mapped[float] = mapped_column(Float, default=0.0)
    attainable: Mapped[str] = mapped_column(Text)
    realistic: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=GoalStatus.ACTIVE.value)
    closing_note: Mapped[str | None] = mapped_column(Text)
    # How the pair rated the goal at graduation: achieved, partly or not yet.
    final_rating: Mapped[str | None] = mapped_column(String(10))
    rated_at: Mapped[datetime | None]
    # The modal that created the goal: a double-clicked submit cannot create it twice.
    source_view_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]

    milestones: Mapped[list[GoalMilestone]] = relationship(
        back_populates="goal", order_by="GoalMilestone.position", cascade="all, delete-orphan"
    )


class GoalDraft(Base):
    """A goal form held while its author reads the coaching on it, keyed by the modal's view id.

    Slack sends only the coaching view back, so the typed values wait here until "Keep it as
    written" or "Edit"; either uses them, and a draft left alone is deleted after a day.
    """

    __tablename__ = "goal_drafts"
    __table_args__ = (UniqueConstraint("team_id", "view_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID)
    view_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(SLACK_ID)
    purpose: Mapped[str] = mapped_column(String(64))  # the goal modal's private_metadata
    values: Mapped[dict] = mapped_column(JSON)  # the modal's state.values, cleaned
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class GoalMilestone(Base):
    """One step of a goal measured by a checklist."""

    __tablename__ = "goal_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    done_at: Mapped[datetime | None]

    goal: Mapped[Goal] = relationship(back_populates="milestones")


class GoalUpdate(Base):
    """A progress update: a new value toward the target or milestones ticked, with a note."""

    __tablename__ = "goal_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    value: Mapped[float | None] = mapped_column(Float)
    milestones_done: Mapped[list[int]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GoalFeedback(Base):
    """A mentor's written feedback on a goal or one of its updates."""

    __tablename__ = "goal_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    update_id: Mapped[int | None] = mapped_column(ForeignKey("goal_updates.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingStage(StrEnum):
    """Where a meeting's one message stands: it is edited from each stage to the next."""

    PREP = "prep"  # posted before the meeting: the mentee is asked to prepare
    SOON = "soon"  # shortly before: the agenda is final and both are reminded
    CHECKIN = "checkin"  # after the meeting: did you meet, what did you agree
    SKIPPED = "skipped"  # a member skipped this one: nothing is asked about it


class CheckIn(Base):
    """One meeting of a pair and its check-in: written once per (pair, meeting instant).

    `due_at` is when the meeting starts. The row carries the mentee's preparation (the agenda),
    the mentor's chosen questions, the pair's shared notes and the members' answers afterwards.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("pair_id", "due_at"),
        CheckConstraint(_in("stage", MeetingStage), name="stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    met: Mapped[str | None] = mapped_column(String(12))  # yes | not_yet | rescheduled | skipped
    answered_at: Mapped[datetime | None]
    stage: Mapped[str] = mapped_column(
        String(10), default=MeetingStage.CHECKIN.value, server_default=MeetingStage.CHECKIN.value
    )
    # When the clock next moves this meeting's message on a stage; null once it asks no more.
    next_step_at: Mapped[datetime | None] = mapped_column(index=True)
    moved_to: Mapped[datetime | None]  # the meeting happens at another time than planned
    skipped_by_user_id: Mapped[str | None] = mapped_column(SLACK_ID)
    # The mentee's preparation: the meeting's agenda.
    prepared_at: Mapped[datetime | None]
    prep_topics: Mapped[str | None] = mapped_column(Text)
    prep_questions: Mapped[str | None] = mapped_column(Text)
    prep_went_well: Mapped[str | None] = mapped_column(Text)
    prep_hard: Mapped[str | None] = mapped_column(Text)
    # The questions chosen for the mentor: [{"id", "stage", "text"}], shown to the mentor only.
    mentor_questions: Mapped[list[dict] | None] = mapped_column(JSON)
    # Notes both members see and either can edit; the last save wins.
    notes: Mapped[str | None] = mapped_column(Text)
    notes_by_user_id: Mapped[str | None] = mapped_column(SLACK_ID)
    notes_at: Mapped[datetime | None]

    @property
    def starts_at(self) -> datetime:
        """When the meeting starts: where a member moved it, or as planned."""
        return self.moved_to or self.due_at


class CheckInAnswer(Base):
    """What one member said at a check-in: whether they met, what they learned, what blocks them."""

    __tablename__ = "checkin_answers"
    __table_args__ = (UniqueConstraint("checkin_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    met: Mapped[str | None] = mapped_column(String(12))
    learned: Mapped[str | None] = mapped_column(Text)
    blocker: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionItem(Base):
    """Something a pair agreed to do after a meeting: what, who, by when; done once."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id"))
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # When a meeting message first called it late to its owner: it is called late only once.
    late_shown_at: Mapped[datetime | None]


class PrivateNote(Base):
    """What one member keeps for themselves about a meeting; nobody else ever sees it."""

    __tablename__ = "private_notes"
    __table_args__ = (UniqueConstraint("checkin_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxStatus(StrEnum):
    """Where a scheduled message stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class OutboxMessage(Base):
    """A message the clock must send, written under a unique key before it is sent.

    A sender claims a row by setting `claimed_until` (a lease) and counting `attempts` up in one
    conditional UPDATE, and renews that claim the same way before every call to Slack; a sender
    whose lease ran out (a long Retry-After) finds its count stale and sends nothing. A crash leaves
    the lease to run out and another sender takes the row, so only a message in flight at the crash
    can go twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OutboxStatus), name="status"),
        Index("ix_outbox_ready", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id"), index=True)
    channel: Mapped[str] = mapped_column(String(200))  # a channel id, or "users:" and up to three ids
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING.value)
    not_before: Mapped[datetime]
    expires_at: Mapped[datetime | None]  # unsent by then, its occasion has passed: never sent
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # also the claim's fencing token
    sent_at: Mapped[datetime | None]
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Introduction(Base):
    """A mentor connecting their mentee with someone who can help; kept on the pair's timeline."""

    __tablename__ = "introductions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    question: Mapped[str | None] = mapped_column(Text)
    with_mentor: Mapped[bool] = mapped_column(Boolean, default=True)
    channel_id: Mapped[str | None] = mapped_column(SLACK_ID)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FitAnswer(Base):
    """A member's private answer to "is this a good fit?" after their first meeting."""

    __tablename__ = "fit_answers"
    __table_args__ = (
        UniqueConstraint("pair_id", "person_id"),
        CheckConstraint("answer IN ('good', 'deciding', 'not_fit')", name="answer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    answer: Mapped[str] = mapped_column(String(10))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Pulse(Base):
    """A member's one-question pulse on their mentorship: 1-5 and an optional comment."""

    __tablename__ = "pulses"
    __table_args__ = (
        UniqueConstraint("pair_id", "person_id", "asked_on"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(SLACK_ID, ForeignKey("workspaces.team_id"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    asked_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]


# slack-sdk's OAuth stores keep installations, bot tokens and install states in these tables,
# defined by the stores themselves so that their queries and this schema never disagree.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, "slack_oauth_states")
