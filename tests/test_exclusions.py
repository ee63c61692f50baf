"""People someone would rather not be paired with: private, and kept apart by matching and by hand.

From their profile form, anyone names people they do not want to be paired with. Nobody is told,
admins included: matching never proposes the two (whoever named whom), and an admin pairing them
by hand is told only that these two cannot be paired.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from bot import ids
from storage.db import SessionFactory
from storage.models import Exclusion, MatchProposal, Pair, Person
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackSender, people, picked, ticked, typed
from tests.scenarios import ADMIN, join_fields, open_join


def exclude(
    slack: SlackSender, fake_slack: FakeSlack, user_id: str, *excluded: str, mentor: bool = False
) -> dict:
    """The person opens `/mentor profile`, names `excluded` as people to keep apart from, and saves."""
    form = open_join(slack, fake_slack, user_id, "profile")
    fields = join_fields() | {
        ids.JOIN_TZ: typed(fake_slack.users[user_id]["tz"]),
        ids.JOIN_EXCLUDE: people(*excluded),
    }
    if mentor:
        fields |= {
            ids.JOIN_ROLE: picked("mentor"),
            ids.JOIN_SKILLS: ticked("Leadership", "Public speaking"),
            ids.JOIN_CAPACITY: picked("1"),
            ids.JOIN_EXPERIENCE: picked("expert"),
        }
    reply = slack.submit(form, fields, user_id=user_id)
    assert reply.body == "", reply.body
    return form


def proposed(session_factory: SessionFactory) -> set[tuple[str, str]]:
    with session_factory() as session:
        users = {
            person_id: user_id for person_id, user_id in session.execute(select(Person.id, Person.user_id))
        }
        return {(users[p.mentor_id], users[p.mentee_id]) for p in session.scalars(select(MatchProposal))}


def test_the_profile_form_keeps_the_list_and_shows_it_only_to_its_writer(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    form = exclude(program, fake_slack, "UTOM", "UMIA", "UTOM")  # oneself is ignored

    again = open_join(program, fake_slack, "UTOM", "profile")
    block = next(b for b in again["blocks"] if b.get("block_id") == ids.JOIN_EXCLUDE)
    assert block["element"]["initial_users"] == ["UMIA"]
    assert "Private" in json.dumps(form)
    with session_factory() as session:
        assert len(session.scalars(select(Exclusion)).all()) == 1

    exclude(program, fake_slack, "UTOM")  # emptied: the list is gone
    with session_factory() as session:
        assert session.scalars(select(Exclusion)).all() == []


def test_matching_never_proposes_two_people_kept_apart_whoever_asked(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    exclude(program, fake_slack, "UTOM", "UMIA")  # a mentee keeps away from a mentor
    exclude(program, fake_slack, "UMAX", "UTIA", mentor=True)  # and a mentor from a mentee
    views = len(fake_slack.calls_to("views.update"))

    program.slash("match", user_id=ADMIN)
    fake_slack.wait_for("views.update", count=views + 1)

    found = proposed(session_factory)
    assert found, "the others are still matched"
    assert ("UMIA", "UTOM") not in found
    assert ("UMAX", "UTIA") not in found


def test_pairing_them_by_hand_is_refused_without_saying_who_asked(
    program: SlackSender, fake_slack: FakeSlack, session_factory: SessionFactory
) -> None:
    exclude(program, fake_slack, "UTOM", "UMIA")
    exclude(program, fake_slack, "UMAX", "UTIA", mentor=True)

    answers = []
    for mentor, mentee in (("UMIA", "UTOM"), ("UMAX", "UTIA")):
        before = len(fake_slack.responses())
        program.slash(f"pair <@{mentor}> <@{mentee}>", user_id=ADMIN)
        fake_slack.wait(lambda before=before: len(fake_slack.responses()) > before, "the answer")
        answers.append(fake_slack.responses()[-1]["text"])

    assert answers == [
        "<@UMIA> and <@UTOM> cannot be paired. Choose another mentor or mentee.",
        "<@UMAX> and <@UTIA> cannot be paired. Choose another mentor or mentee.",
    ]  # the same words whichever of the two asked for it
    with session_factory() as session:
        assert session.scalars(select(Pair)).all() == []
