{%- from "parts.jinja" import parts with context -%}
"""Add users.email_verified_at: when an account proved its email address.

Accounts made before it count as proved: nobody was asked to confirm
an address then.

Revision ID: 999d6d688d7d
Revises: {{ "0003" if parts.api else "0002" }}
Created: 2026-12-07 00:03
"""

import sqlalchemy as sa
from alembic import op

revision = "999d6d688d7d"
down_revision = "{{ "0003" if parts.api else "0002" }}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    users = sa.table("users", sa.column("email_verified_at"), sa.column("created_at"))
    op.execute(users.update().values(email_verified_at=users.c.created_at))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("email_verified_at")
