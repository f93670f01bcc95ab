"""Outgoing email: SMTP when configured, otherwise (outside production) the "console" mailer writes to the log."""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.engine import Engine

from api.core import ratelimit
from api.core.config import Settings

log = logging.getLogger("couloir.mail")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


def send_email(
    engine: Engine,
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    attachments: tuple[Attachment, ...] = (),
) -> None:
    """Send one mail, if its address has budget left (`mail_rate_per_address`, one budget for every mail of
    any kind): whoever asks, a mailbox never gets more. Past it nothing is sent and the caller answers as
    usual, so the budget tells no one whether the address is known."""
    if not ratelimit.spend(engine, settings, f"mail:{to.lower()}", settings.mail_rate_per_address):
        log.info("an email was not sent: its address has had its budget of mail for now")
        return
    if not settings.smtp_host:
        if settings.environment == "production":
            # The body holds a sign-in link and the address is personal data: in production neither is logged.
            log.error("an email was not sent: no SMTP server is configured (COULOIR_SMTP_HOST)")
            return
        log.warning("console mailer: to=%s subject=%r\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for attachment in attachments:
        message.add_attachment(
            attachment.content, maintype=attachment.maintype, subtype=attachment.subtype, filename=attachment.filename
        )
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)
