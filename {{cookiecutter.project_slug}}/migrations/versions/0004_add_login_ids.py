"""Tie sessions to a login id that a password change renews; limit note bodies.

Revision ID: 0004
Revises: 0002
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.Integer()), sa.column("login_id", sa.String(32)))


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("login_id", sa.String(length=32), nullable=True))
    # Each existing account gets its own random id before the column is required.
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(login_id=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("login_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_users_login_id"), ["login_id"])
    # A note's body has the same limit in the database as in the forms and the
    # API (models.MAX_BODY_LENGTH).
    with op.batch_alter_table("notes") as batch_op:
        batch_op.alter_column(
            "body",
            existing_type=sa.Text(),
            type_=sa.String(length=20000),
            existing_nullable=False,
        )


def downgrade():
    with op.batch_alter_table("notes") as batch_op:
        batch_op.alter_column(
            "body",
            existing_type=sa.String(length=20000),
            type_=sa.Text(),
            existing_nullable=False,
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_login_id"), type_="unique")
        batch_op.drop_column("login_id")
