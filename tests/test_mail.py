"""Sign-in links go out through a real SMTP server when one is configured."""

import logging
import re
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine
from sqlmodel import Session

from api.core.config import Settings
from api.core.mailer import send_email
from api.organizers.service import add_organizer
from tests.conftest import TEST_LIMITS, free_port, migrate, start_server, wipe


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mailing_server(server, migrated_url, tmp_path, smtp):
    controller, _ = smtp
    wipe(server.engine)
    yield from start_server(
        tmp_path, migrated_url, smtp_host="127.0.0.1", smtp_port=controller.port, smtp_starttls=False, **TEST_LIMITS
    )


def test_organizer_link_is_emailed_and_works(mailing_server, smtp):
    _, inbox = smtp
    with Session(mailing_server.engine) as session:
        add_organizer(session, "ada@example.org")
        session.commit()
    with mailing_server.client() as client:
        assert client.post("/api/auth/organizers/magic-link", json={"email": "ada@example.org"}).status_code == 202
        deadline = time.monotonic() + 60
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(inbox.messages) == 1
        recipients, message = inbox.messages[0]
        assert recipients == ["ada@example.org"]
        body = message.get_payload(decode=True).decode()
        token = re.search(r"/login#token=([\w-]+)", body).group(1)
        assert body.count(mailing_server.base_url) == 1
        assert client.post("/api/auth/magic-link/redeem", json={"token": token}).status_code == 200


def test_production_without_smtp_logs_neither_the_address_nor_the_link(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'couloir.db'}"
    migrate(url)
    engine = create_engine(url)
    settings = Settings(environment="production", data_dir=tmp_path, database_url=url)
    with caplog.at_level(logging.WARNING, logger="couloir.mail"):
        send_email(
            engine, settings, to="ada@example.org", subject="Sign in", body="https://couloir.example/login#token=s3cret"
        )
    engine.dispose()
    assert [r.getMessage() for r in caplog.records] == [
        "an email was not sent: no SMTP server is configured (COULOIR_SMTP_HOST)"
    ]
