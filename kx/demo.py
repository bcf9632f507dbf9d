"""``flask --app kx demo load``: fictional demo accounts and demo content; idempotent.

The content itself (practice examples, research summaries, evidence links, forum threads)
is data in ``kx/demo_data/``, read and loaded by ``kx.demo_content``.
"""

import click
from flask.cli import AppGroup

from kx.accounts import services as accounts

DEMO_PASSWORD = "demo pass for trying things"  # noqa: S105  (documented demo credential)

# Fictional people; the e-mail domain is reserved for examples (RFC 2606).
DEMO_USERS = [
    ("admin@example.org", "Ada Admin", "policy", "GB", "admin", "kx operations"),
    ("moderator@example.org", "Morgan Moderator", "ngo", "NL", "moderator", "kx moderation"),
    (
        "police@example.org",
        "Inspector Demo",
        "law-enforcement",
        "GB",
        "member",
        "Regional online child protection unit",
    ),
    (
        "researcher@example.org",
        "Dr Demo Researcher",
        "academic",
        "DE",
        "member",
        "University department of forensic psychology",
    ),
    (
        "therapist@example.org",
        "Theo Therapist",
        "treatment",
        "NL",
        "member",
        "Outpatient prevention programme",
    ),
    (
        "clinician@example.org",
        "Mina Clinician",
        "mental-health",
        "IE",
        "member",
        "Community forensic mental health service",
    ),
    ("policy@example.org", "Pat Policymaker", "policy", "SE", "member", "Ministry of justice"),
    ("charity@example.org", "Noor Charity", "ngo", "GB", "member", "Prevention helpline charity"),
    ("other@example.org", "Olu Other", "other", "CA", "member", "Probation training centre"),
]


def load_users() -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; return (email, role, sector) of all."""
    for email, name, sector, country, role, organisation in DEMO_USERS:
        if accounts.find_user_by_email(email) is None:
            accounts.register_user(
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                sector=sector,
                country=country,
                organisation=organisation,
                role=role,
                verified=True,
            )
    return [(email, role, sector) for email, _, sector, _, role, _ in DEMO_USERS]


demo_cli = AppGroup("demo", help="Demo content.")


@demo_cli.command("load")
def load_command():
    """Load the demo accounts and content into the database (safe to run again)."""
    from kx.demo_content import load_content

    users = load_users()
    counts = load_content()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD!r}):")
    for email, role, sector in users:
        click.echo(f"  {email:<26} {role:<10} {sector}")
    click.echo(
        f"Demo content: {counts['practices']} practice examples, "
        f"{counts['research']} research summaries, {counts['links']} evidence links."
    )
