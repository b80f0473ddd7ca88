import factory
from django.contrib.auth import get_user_model

from organizations.models import Member, Officer, Organization


def make_tree(*, county="测试县委", townships=2, branches_per_township=2, groups_per_branch=1):
    """A county with three levels below it: townships → branches → party groups."""
    root = Organization.add_root(name=county, level=Organization.Level.COUNTY)
    branches = []
    for t in range(townships):
        root.refresh_from_db()
        town = root.add_child(name=f"{county}第{t + 1}镇", level=Organization.Level.TOWNSHIP)
        for b in range(branches_per_township):
            town.refresh_from_db()
            branch = town.add_child(name=f"{town.name}第{b + 1}支部", level=Organization.Level.BRANCH)
            for g in range(groups_per_branch):
                branch.refresh_from_db()
                branch.add_child(name=f"{branch.name}第{g + 1}小组", level=Organization.Level.GROUP)
            branches.append(branch)
    root.refresh_from_db()
    return root, branches


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-123456")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    sex = Member.Sex.MALE
    education = Member.Education.BACHELOR
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"干部{n}")
