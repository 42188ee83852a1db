{%- from "parts.jinja" import parts with context -%}
"""Add api_tokens.name and api_tokens.last_used_at.

Tokens a person names, lists with their last use, and revokes one by one.

Tokens issued before it are named "API token" and never used yet.

Revision ID: 770002b7dbce
Revises: {{ "c5b6297faf84" if parts.web_ui else "999d6d688d7d" }}
Created: 2026-12-07 00:06
"""

import sqlalchemy as sa
from alembic import op

revision = "770002b7dbce"
down_revision = "{{ "c5b6297faf84" if parts.web_ui else "999d6d688d7d" }}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(
            sa.Column("name", sa.String(length=60), server_default="API token", nullable=False)
        )
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("name")
