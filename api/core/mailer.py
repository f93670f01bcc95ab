"""Outgoing email: SMTP when configured, otherwise (outside production) the "console" mailer writes to the log."""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from api.core.config import Settings

log = logging.getLogger("couloir.mail")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


def send_email(
    settings: Settings, *, to: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()
) -> None:
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
