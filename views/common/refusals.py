"""What a refused request means, in the words of the person at the console, translated.

A refusal arrives as the rule's name (the node's error class — ``RoleRefused``,
``SamePersonApproval`` … — or a local one such as ``Unsigned`` when nobody is logged in) and
the node's message, which names the member, the selection and the numbers but is English.
:func:`refusal_text` puts the meaning first, in the console's language, and keeps the rule and
the node's message below it for the record. A rule without a sentence of its own still shows
its name and message: nothing is hidden.

The roles are the roster's (:class:`node_core.ledger.roster.Role`); :func:`role_text` is their
name on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

_T = QCoreApplication  # _T.translate("Refusal", "…"): literal, so lupdate finds it
_SAME_MEANING = {"AgentProtocol": "SignerError", "TokenNotFound": "SignerError"}
"""Local signer errors that mean the same to the person at the console."""


def refusal_text(rule: str, message: str) -> str:
    """``meaning\\nRule: message`` (just ``Rule: message`` for a rule without a meaning)."""
    meaning = _meaning(rule)
    detail = f"{rule}: {message}"
    return f"{meaning}\n{detail}" if meaning else detail


def _meaning(rule: str) -> str:
    meanings = {
        "RoleRefused": _T.translate(
            "Refusal", "Refused by the node: your role may not do this."),
        "SamePersonApproval": _T.translate(
            "Refusal", "Refused by the node: the approving supervisor must be another person "
            "than the operator who selected and operated it (two-person rule)."),
        "Unsigned": _T.translate(
            "Refusal", "Nobody is logged in at this console: log in with your own token "
            "first."),
        "UnknownOperatorKey": _T.translate(
            "Refusal", "Refused by the node: the signing key is not on this authority's "
            "roster."),
        "BadRequestSignature": _T.translate(
            "Refusal", "Refused by the node: the signature does not match the request."),
        "StaleRequest": _T.translate(
            "Refusal", "Refused by the node: the request's time is too far from the node's "
            "clock. Check this computer's clock."),
        "ReplayedRequest": _T.translate(
            "Refusal", "Refused by the node: it had already taken this request."),
        "SelectionExpired": _T.translate(
            "Refusal", "The selection expired before this step: select the action again."),
        "WrongStep": _T.translate(
            "Refusal", "The action is not at a step where this can be done."),
        "BadEndorsement": _T.translate(
            "Refusal", "Refused: the endorsement does not sign this action as the node "
            "holds it."),
        "Unreachable": _T.translate(
            "Refusal", "The node does not answer: the request was not taken."),
        "Disconnected": _T.translate(
            "Refusal", "The connection to the node was lost: check the action's state before "
            "asking again."),
        "Timeout": _T.translate(
            "Refusal", "The node did not answer in time: check the action's state before "
            "asking again."),
        "SignerError": _T.translate(
            "Refusal", "Your token could not sign: log in again."),
    }
    return meanings.get(_SAME_MEANING.get(rule, rule), "")


def role_text(role: str) -> str:
    """A roster role (``operator``, ``security_admin`` …) as the console names it."""
    names = {
        "viewer": _T.translate("Role", "viewer"),
        "operator": _T.translate("Role", "operator"),
        "supervisor": _T.translate("Role", "supervisor"),
        "engineer": _T.translate("Role", "engineer"),
        "security_admin": _T.translate("Role", "security administrator"),
        "auditor": _T.translate("Role", "auditor"),
        "grid_feed": _T.translate("Role", "grid feed"),
    }
    return names.get(role, role)
