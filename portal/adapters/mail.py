"""E-mail over SMTP: STARTTLS (certificate verified), then a login, then one message.

Raises `ChannelFailed` with a reason code for every way it can go wrong, so the console
can say it in words: ``smtp-connect`` (no answer), ``smtp-tls`` (no STARTTLS or a
certificate that does not verify), ``smtp-auth`` (wrong user or password),
``smtp-refused`` (the server refused the sender or recipients), ``smtp-error``.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from portal.adapters.channels import ChannelFailed
from portal.domain.notify.channels import EmailChannel

TIMEOUT_SECONDS = 15


def compose(channel: EmailChannel, subject: str, body: str) -> EmailMessage:
    """The message as it is sent: plain UTF-8 text to every recipient."""
    message = EmailMessage()
    message["From"] = channel.sender
    message["To"] = ", ".join(channel.recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=channel.sender.rsplit("@", 1)[-1])
    message.set_content(body)
    return message


def send_mail(channel: EmailChannel, subject: str, body: str, *, context: ssl.SSLContext) -> None:
    """Send one message through ``channel``'s server. Raises ChannelFailed."""
    message = compose(channel, subject, body)
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if channel.starttls:
                if not smtp.has_extn("starttls"):
                    raise ChannelFailed("smtp-tls", permanent=True)
                smtp.starttls(context=context)
                smtp.ehlo()
            if channel.user:
                smtp.login(channel.user, channel.password)
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as error:
        raise ChannelFailed("smtp-auth", permanent=True) from error
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise ChannelFailed("smtp-refused", permanent=True) from error
    except smtplib.SMTPNotSupportedError as error:
        raise ChannelFailed("smtp-auth", permanent=True) from error
    except ssl.SSLError as error:
        raise ChannelFailed("smtp-tls", permanent=True) from error
    except smtplib.SMTPException as error:
        raise ChannelFailed("smtp-error") from error
    except OSError as error:  # refused, unreachable, timed out, name not found
        raise ChannelFailed("smtp-connect") from error
