"""docs/permissions.md, generated from the permission matrix so the two cannot disagree."""

from __future__ import annotations

from open_lrs.organisations.permissions import (
    ACTION_DESCRIPTIONS,
    MATRIX,
    ROLE_DESCRIPTIONS,
    ROLES,
    Action,
    Kind,
    Role,
)


def permissions_markdown() -> str:
    kinds = list(Kind)
    lines = [
        "# Permissions",
        "",
        "Who may call what, by the kind of organisation the API key belongs to. This page is",
        "generated from `open_lrs.organisations.permissions.MATRIX` by `lrs docs permissions`;",
        "a test fails if it is out of date. A call that is not allowed answers `403` with the",
        "problem code `forbidden` (LRS `WSEC0006`); a missing, unknown or revoked key answers",
        "`401` (`WSEC0005`).",
        "",
        "| action | what it allows | " + " | ".join(k.value for k in kinds) + " |",
        "|---|---|" + "---|" * len(kinds),
    ]
    for action in Action:
        cells = ["yes" if action in MATRIX[k] else "no" for k in kinds]
        lines.append(
            f"| `{action.value}` | {ACTION_DESCRIPTIONS[action]} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "Why: providers and schools enrol learners, so they register, read and update them.",
        "Awarding organisations post results against ULNs and may read a learner's details to",
        "confirm a candidate, but never create or change learners. Universities and careers",
        "services check a ULN an applicant gives them: they learn whether it matches, never the",
        "register's copy of the learner's details. Merging, bulk import and the audit log are",
        "for the service's administrators only.",
        "",
        "Every call that reads or writes a learner's personal data is recorded in the audit log",
        "(organisation, key, action, learner, time, request id), whatever its outcome.",
        "",
        "## Roles of portal users",
        "",
        "People sign in to the organisation portal ([portal.md](portal.md)) as users of their",
        "organisation, each with a role. A role narrows what the organisation's kind allows and",
        "never widens it: a user may do an action only when the table above allows it for the",
        "organisation's kind *and* this table allows it for the user's role. Both are checked in",
        "one place, the service layer's permission check, so the portal cannot show a way round",
        "them. A refused action shows the portal's 403 page.",
        "",
        "| role | who it is for |",
        "|---|---|",
        *(f"| `{r.value}` | {ROLE_DESCRIPTIONS[r]} |" for r in Role),
        "",
        "| action | " + " | ".join(r.value for r in Role) + " |",
        "|---|" + "---|" * len(Role),
        *(
            f"| `{a.value}` | " + " | ".join("yes" if a in ROLES[r] else "no" for r in Role) + " |"
            for a in Action
        ),
        "",
    ]
    return "\n".join(lines)
