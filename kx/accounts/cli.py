"""``flask --app kx users ...``"""

import click
from flask.cli import AppGroup

from kx import taxonomy
from kx.accounts import services
from kx.errors import Invalid

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--sector", type=click.Choice(list(taxonomy.SECTORS)), required=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. GB.")
@click.option("--role", type=click.Choice(list(taxonomy.ROLES)), default="member")
@click.option("--organisation", default="")
def create_user(email, password, display_name, sector, country, role, organisation):
    """Create a verified account."""
    try:
        user = services.register_user(
            email=email,
            display_name=display_name,
            password=password,
            sector=sector,
            country=country.upper(),
            organisation=organisation,
            role=role,
            verified=True,
        )
    except Invalid as exc:
        for field, messages in exc.fields.items():
            for message in messages:
                click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"Created {role} {user.email} (id {user.id}), verified.")
