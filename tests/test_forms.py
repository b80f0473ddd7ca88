"""branchlife.forms: the shared form fields."""

import pytest
from django.core.exceptions import ValidationError

from branchlife.forms import ModelMultipleChoiceField
from organizations.models import Member


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["123456789012345678901", "-99999999999999999999"])
def test_an_id_beyond_the_databases_integers_is_an_invalid_choice(value):
    field = ModelMultipleChoiceField(queryset=Member.objects.all())
    with pytest.raises(ValidationError) as raised:
        field.clean([value])
    assert raised.value.code == "invalid_choice"
    assert value in str(raised.value.messages)
