import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from jointdefense.core.tasks import send_email


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email goes out from a worker, once, after the request commits."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        # one e-mail per request: a retried or twice-delivered task sends it once, a second request
        # sends a second e-mail. The key holds no uid or token (those make a live reset link).
        send_email.enqueue_on_commit(
            key=f"password-reset:{context['user'].pk}:{uuid.uuid4().hex}",
            to=[to_email],
            subject=subject,
            body=body,
            limited=True,
        )
