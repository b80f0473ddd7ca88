"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, except that an id too large for the database's integers is an invalid choice.

    Django checks each submitted id with a query and turns ValueError and TypeError into "invalid
    choice", but on SQLite a 20-digit id raises OverflowError from the driver: a 500 instead of a
    message next to the field, and whatever the user had entered lost."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            too_large = next((v for v in value if str(v).strip().lstrip("-").isdigit() and abs(int(v)) >= 2**63), value)
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": too_large}
            ) from None
