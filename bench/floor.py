"""The floor: bare Flask and Flask-SQLAlchemy doing the same work as each
endpoint of the generated service that `make bench` measures, and nothing else.

It runs in the generated project's venv, on its gunicorn.conf.py (the
Procfile's web line with `floor:app` for `wsgi:app`), on the same DATABASE_URL,
REDIS_URL and SECRET_KEY, over the tables the generated project's migrations
made. No middleware, no logging, no extension but Flask-SQLAlchemy.
"""

import contextlib
import hashlib
import json
import math
import os
import sqlite3
from datetime import UTC, datetime, timedelta

import redis
from flask import Flask, abort, redirect, render_template, request, session
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import DateTime, String, func, select, text
from sqlalchemy.orm import Mapped, load_only, mapped_column

PAGE_SIZE = 20

# The generated pages' markup, so that each answer is about the same size.
TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% block title %}My Service{% endblock %}</title>
  <link rel="stylesheet" href="{{ url_for('static', filename='style.css') }}">
</head>
<body>
  <header>
    <a class="brand" href="{{ url_for('index') }}">My Service</a>
    <nav>
      {%- if user %}
      <a href="{{ url_for('notes') }}">Notes</a>
      <a class="account" href="/account/"
         title="Your account and where you are logged in">{{ user.email }}</a>
      <form class="inline" method="post" action="/auth/logout">
        <input type="hidden" name="csrf_token" value="{{ csrf }}">
        <button type="submit">Log out</button>
      </form>
      {%- else %}
      <a href="/auth/login">Log in</a>
      <a href="/auth/register">Sign up</a>
      {%- endif %}
    </nav>
  </header>
  <main>{% block content %}{% endblock %}</main>
</body>
</html>""",
    "index.html": """{% extends "base.html" %}{% block content %}
  <h1>My Service</h1>
  <p>A Flask service for Heroku.</p>
  <p>The service is running. Its health: <a href="{{ url_for('healthz') }}">/healthz</a>.</p>
{% endblock %}""",
    "notes.html": """{% extends "base.html" %}{% block title %}Notes · My Service{% endblock %}
{% block content %}
  <h1>Your notes</h1>
  <p><a class="button" href="/notes/new">New note</a></p>
  <ul class="records">
    {%- for note in notes %}
    <li>
      <a href="{{ url_for('note', note_id=note.id) }}">{{ note.title }}</a>
      <small>updated {{ note.updated_at.strftime("%Y-%m-%d %H:%M") }}</small>
    </li>
    {%- endfor %}
  </ul>
  {%- if pages > 1 %}
  <nav class="pages" aria-label="Pages of notes">
    <span>Page 1 of {{ pages }}</span>
    <a href="{{ url_for('notes', page=2) }}" rel="next">Older</a>
  </nav>
  {%- endif %}
{% endblock %}""",
}

app = Flask(__name__)
app.jinja_loader = DictLoader(TEMPLATES)
app.secret_key = os.environ["SECRET_KEY"]
database_url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
app.config["SQLALCHEMY_DATABASE_URI"] = database_url.replace(
    "postgresql://", "postgresql+psycopg://", 1
)
db = SQLAlchemy(app)
redis_url = os.environ.get("REDIS_URL", "")
broker = redis.Redis.from_url(redis_url) if redis_url else None
instance = os.path.abspath(os.environ.get("INSTANCE_PATH", "instance"))
os.makedirs(instance, exist_ok=True)
QUEUE_FILE = os.path.join(instance, "floor-queue.sqlite")


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    login_id: Mapped[str] = mapped_column(String(32))


class Note(db.Model):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(20_000), default="")
    owner_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LoginSession(db.Model):
    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int]
    login_id: Mapped[str] = mapped_column(String(32))
    remembered: Mapped[bool]
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int]
    login_id: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def token_owner() -> User:
    """The generated API's lookup: the token's digest, live, joined to its user."""
    credentials = request.authorization
    if credentials is None or credentials.type != "bearer" or not credentials.token:
        abort(401)
    user = db.session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == hashlib.sha256(credentials.token.encode()).hexdigest(),
            ApiToken.expires_at > datetime.now(UTC),
            ApiToken.login_id == User.login_id,
        )
    )
    if user is None:
        abort(401)
    return user


def session_user() -> User | None:
    """The account of the live session whose token the signed session cookie
    holds (Flask-Login's key): the generated loader's one query, with its
    lifetime and idle timeouts (the defaults)."""
    token = session.get("_user_id")
    if token is None:
        return None
    now = datetime.now(UTC)
    idle = (
        (LoginSession.remembered & (LoginSession.last_seen_at > now - timedelta(days=7)))
        | (~LoginSession.remembered & (LoginSession.last_seen_at > now - timedelta(hours=1)))
    )
    return db.session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == hashlib.sha256(token.encode()).hexdigest(),
            LoginSession.expires_at > now,
            LoginSession.login_id == User.login_id,
            idle,
        )
    )


def note_json(note: Note) -> dict:
    def stamp(value: datetime) -> str:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()

    return {
        "body": note.body,
        "created_at": stamp(note.created_at),
        "id": note.id,
        "title": note.title,
        "updated_at": stamp(note.updated_at),
    }


@app.get("/")
def index():
    return render_template("index.html", user=None)


@app.get("/notes/")
def notes():
    user = session_user()
    if user is None:
        return redirect("/auth/login")
    # The first page, as the generated page shows it: a count, then the
    # page's titles without their bodies.
    total = db.session.scalar(select(func.count()).where(Note.owner_id == user.id))
    mine = db.session.scalars(
        select(Note)
        .where(Note.owner_id == user.id)
        .options(load_only(Note.id, Note.title, Note.updated_at))
        .order_by(Note.updated_at.desc(), Note.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return render_template(
        "notes.html", user=user, notes=mine, pages=pages, csrf=session.get("csrf_token")
    )


@app.get("/notes/<int:note_id>")
def note(note_id):
    abort(404)  # only named by the notes page's links


@app.get("/api/v1/notes")
def list_notes():
    owner = token_owner()
    page = request.args.get("page", 1, type=int)
    mine = select(Note).where(Note.owner_id == owner.id)
    total = db.session.scalar(select(func.count()).select_from(mine.subquery()))
    rows = db.session.scalars(
        mine.order_by(Note.created_at.desc(), Note.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    headers = {"X-Pagination": json.dumps({"total": total, "page": page})}
    return [note_json(row) for row in rows], headers


@app.post("/api/v1/notes")
def create_note():
    owner = token_owner()
    fields = request.get_json()
    if not isinstance(fields.get("title"), str) or not isinstance(fields.get("body", ""), str):
        abort(422)
    row = Note(title=fields["title"], body=fields.get("body", ""), owner_id=owner.id)
    db.session.add(row)
    db.session.commit()
    return note_json(row), 201


@app.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    if broker is not None:
        broker.ping()
    else:  # the embedded queue's SQLite file (floor_tasks.py's), opened as the generated check does
        with contextlib.closing(sqlite3.connect(QUEUE_FILE)) as connection:
            connection.execute("SELECT 1")
    checks = {"database": {"status": "ok"}, "broker": {"status": "ok"}}
    return {"status": "ok", "checks": checks}, 200, {"Cache-Control": "no-store"}
