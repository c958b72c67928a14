from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def add_domain_error(form, err) -> None:
    """Show a DomainError (``.message``, ``.field``) or a model ValidationError (``full_clean`` in a
    service) on ``form``: on the field it names when the form has that field, else above the form.
    The one place where service errors become form errors."""
    if isinstance(err, ValidationError):
        if hasattr(err, "error_dict"):
            for field, errors in err.error_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            form.add_error(None, err)
        return
    field = getattr(err, "field", None)
    form.add_error(field if field in form.fields else None, err.message)


class QuickSelect(forms.Select):
    """A select of many options (a station's 2,000 grid cells) written out in Python: Django's
    widget templates render each option through two template includes, a quarter of a second for
    a list page's filter of 2,000 cells. The same markup: the select's attributes, each option's
    value, label and ``selected``, option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            written = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], flatatt(option["attrs"]), option["label"]) for option in options),
            )
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, written)
                if group_name
                else written
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(parts)),  # noqa: S308 - each part built by format_html
        )
