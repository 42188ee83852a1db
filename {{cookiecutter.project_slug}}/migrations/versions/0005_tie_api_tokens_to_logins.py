"""Tie each API token to its account's login id, so a password change ends it.

Revision ID: 0005
Revises: 0003, 0004

The API's migrations branch off the core's (0003 from 0002) and join them
again here, so that a project with the API has one head as one without it
does, and both are made from the same files.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = ("0003", "0004")
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("login_id", sa.String(length=32), nullable=True))
    # Tokens issued before keep working until the password next changes.
    op.execute(
        "UPDATE api_tokens SET login_id = "
        "(SELECT users.login_id FROM users WHERE users.id = api_tokens.user_id)"
    )
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.alter_column("login_id", existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("login_id")
