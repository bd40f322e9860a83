"""The operator roster: per authority, which person's (or machine's) key holds which role.

The roster is part of the state (``state_root`` leaves ``"R" || member``), so every authority
and every auditor can tell, at any height, who may do what for each authority. It starts in
the genesis and changes only by a ``RosterChange`` transaction, which the authority signs with
its key and its **security administrator** endorses with their own key
(:mod:`node_core.ledger.endorsements`). The node checks operator requests against it before it
acts (:mod:`node_core.api.operator_auth`); the ledger checks the two-person rule of emergency
actions against it (:mod:`node_core.ledger.emergency_rules`).

Roles, after IEC 62351-8 (authentication — who — is kept apart from authorization — what the
role may do):

========================  =====================  ============================================
role                      IEC 62351-8            may
========================  =====================  ============================================
``viewer``                VIEWER                 read
``operator``              OPERATOR               acknowledge and shelve alarms, select and
                                                 operate emergency actions, propose and vote
``supervisor``            (OPERATOR with         what an operator may, and approve critical
                          approval authority)    emergency actions of another operator
``engineer``              ENGINEER               read (configuration is outside the node)
``security_admin``        SECADM                 request roster changes
``auditor``               AUDITOR                read, and the audit trail
``grid_feed``             (a machine subject)    attest grid snapshots for the node's blocks
========================  =====================  ============================================

Rules of a roster change (each raises its named error): the sender is an authority; the
requester is a ``security_admin`` on the sender's roster whose endorsement verifies, is fresh
and was not used before; an added member has a name (:func:`check_member_name`, also the
genesis roster's rule) and a name and key new on that roster; a removed member exists; the
last security administrator cannot be removed (nobody could change the roster after it).

An authority removed by governance takes its roster with it (:func:`rosters_of`): its people
lose their rights on the chain at once, and if the same address is added again it starts with
an empty roster and appoints its first security administrator itself, instead of getting
back, unasked, the people it had when it left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import DecodeError, InvalidTransaction
from node_core.ledger.fields import OPERATOR_NAME
from node_core.ledger.keys import PUBLIC_KEY_SIZE, public_key_address
from node_core.ledger.types import Address, PublicKey


class Role(IntEnum):
    """A roster member's role (see the module docstring); the value is its encoding."""

    VIEWER = 1
    OPERATOR = 2
    SUPERVISOR = 3
    ENGINEER = 4
    SECURITY_ADMIN = 5
    AUDITOR = 6
    GRID_FEED = 7

    @property
    def text(self) -> str:
        """``operator``, ``security_admin`` ...: the name in files, the API and the audit."""
        return self.name.lower()

    @classmethod
    def of(cls, text: str) -> Role:
        """The role named ``text``; ValueError lists the roles."""
        role = cls.__members__.get(text.upper())
        if role is None:
            raise ValueError(f"role must be one of {', '.join(r.text for r in cls)}, "
                             f"not {text!r}")
        return role


class RosterAction(IntEnum):
    ADD = 1
    REMOVE = 2


class NotOnRoster(InvalidTransaction):
    """A key is not on the authority's roster (or not with a role that may do this)."""


class RosterNameTaken(InvalidTransaction):
    """The authority's roster already has a member of that name, or that key."""


class UnknownRosterMember(InvalidTransaction):
    """The authority's roster has no member of that name."""


class BlankMemberName(InvalidTransaction):
    """A roster member's name is empty or white space only."""


class LastSecurityAdmin(InvalidTransaction):
    """Removing this member would leave the authority without a security administrator."""


@dataclass(frozen=True, slots=True)
class RosterMember:
    """One person or machine on one authority's roster."""

    authority: Address
    """The authority whose roster this is."""
    name: str
    """The member's name, unique on that roster (``operator1``, ``somchai.k``)."""
    role: Role
    public_key: PublicKey
    """The member's own P-256 key (a smart card or HSM token of theirs)."""

    @property
    def address(self) -> Address:
        return public_key_address(self.public_key)


Roster = tuple[RosterMember, ...]
"""Sorted by authority address, then name (the state's canonical order)."""


def sorted_roster(members: Iterable[RosterMember]) -> Roster:
    return tuple(sorted(members, key=lambda m: (m.authority, m.name)))


def check_member_name(name: str, what: str) -> None:
    """Raise BlankMemberName when ``name`` is empty or only (Unicode) white space: every
    member has a name people can read on the chain, in the audit trail and at the desk."""
    if not name.strip():
        raise BlankMemberName(f"{what}: member name {name!r} is empty or white space only")


def rosters_of(roster: Roster, authorities: Iterable[Address]) -> Roster:
    """The members of ``authorities``' rosters (``roster`` itself when that is all of it):
    the roster after an authority's removal (module docstring)."""
    kept = set(authorities)
    if all(m.authority in kept for m in roster):
        return roster
    return tuple(m for m in roster if m.authority in kept)


def members_of(roster: Roster, authority: Address) -> list[RosterMember]:
    return [m for m in roster if m.authority == authority]


def member_with_key(roster: Roster, authority: Address,
                    public_key: bytes) -> RosterMember | None:
    """The member of ``authority``'s roster holding ``public_key``, if any."""
    key = bytes(public_key)
    return next((m for m in roster if m.authority == authority and bytes(m.public_key) == key),
                None)


def endorser_name(roster: Roster, authority: Address, public_key: bytes) -> str:
    """The roster name of the member holding ``public_key`` (an endorser), or the key's
    address when it is not (or no longer) on ``authority``'s roster; ``""`` for no key."""
    if not public_key:
        return ""
    member = member_with_key(roster, authority, public_key)
    return member.name if member is not None else public_key_address(public_key)


def require_member(roster: Roster, authority: Address, public_key: bytes,
                   roles: Sequence[Role], what: str) -> RosterMember:
    """The member holding ``public_key`` on ``authority``'s roster with one of ``roles``;
    NotOnRoster otherwise, naming ``what`` they tried."""
    member = member_with_key(roster, authority, public_key)
    if member is None:
        raise NotOnRoster(f"{what}: key {public_key_address(public_key)} is not on the roster "
                          f"of authority {authority}")
    if member.role not in roles:
        allowed = " or ".join(r.text for r in roles)
        raise NotOnRoster(f"{what}: {member.name} is a {member.role.text}, not {allowed}")
    return member


# --- encoding -------------------------------------------------------------------------------


def write_member(writer: Writer, member: RosterMember) -> None:
    writer.address(member.authority).str_(member.name, OPERATOR_NAME).u8(member.role)
    writer.raw(member.public_key, PUBLIC_KEY_SIZE)


def read_member(reader: Reader) -> RosterMember:
    authority, name, role = Address(reader.address()), reader.str_(OPERATOR_NAME), reader.u8()
    if role not in Role._value2member_map_:
        raise DecodeError(f"unknown role {role}")
    return RosterMember(authority, name, Role(role), PublicKey(reader.raw(PUBLIC_KEY_SIZE)))


def encode_roster(roster: Roster) -> bytes:
    writer = Writer().u32(len(roster))
    for member in roster:
        write_member(writer, member)
    return bytes(writer)


def decode_roster(data: bytes) -> Roster:
    reader = Reader(data)
    roster = tuple(read_member(reader) for _ in range(reader.count()))
    reader.finish()
    if roster != sorted_roster(roster):
        raise DecodeError("roster members are not in canonical order")
    return roster


def member_leaf(member: RosterMember) -> bytes:
    """``"R" || member``, a state-root leaf."""
    writer = Writer()
    write_member(writer, member)
    return b"R" + bytes(writer)
