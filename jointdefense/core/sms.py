"""Text messages to phones, for reporters who left a phone number and no e-mail address.

The backend is a setting (``SMS_BACKEND``), like Django's e-mail backends:

* ``ConsoleBackend`` prints the message (development);
* ``LocmemBackend`` keeps messages in ``jointdefense.core.sms.outbox`` (the test suite);
* ``HttpGatewayBackend`` POSTs ``{"to": …, "text": …}`` as JSON to ``SMS_GATEWAY_URL`` with the
  bearer token ``SMS_GATEWAY_TOKEN``: the shape most SMS gateways and in-house relays accept.

Messages are sent by the ``core.send_sms`` task, once per key (core.models.SmsDelivery).
"""

import json
import sys
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

outbox: list["TextMessage"] = []


@dataclass(frozen=True)
class TextMessage:
    to: str
    text: str


class ConsoleBackend:
    def send(self, message: TextMessage) -> None:
        sys.stdout.write(f"SMS to {message.to}: {message.text}\n")
        sys.stdout.flush()


class LocmemBackend:
    def send(self, message: TextMessage) -> None:
        outbox.append(message)


class HttpGatewayBackend:
    timeout = 10

    def send(self, message: TextMessage) -> None:
        if not settings.SMS_GATEWAY_URL.startswith(("https://", "http://")):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) address")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"to": message.to, "text": message.text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        # urllib raises URLError/HTTPError (OSError) on failure; the task retries on OSError
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            response.read()


def get_backend():
    return import_string(settings.SMS_BACKEND)()
