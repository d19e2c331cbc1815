from __future__ import annotations

import factory

from accounts.models import Agency, User

TEST_PASSWORD = "a-test-password-of-length"  # tests only


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Test agency {n}")
    kind = Agency.Kind.LOCAL_AUTHORITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password(TEST_PASSWORD)


def bulk_grants(*, by, granted: list[tuple], each: int, first_id: int = 1_000_000) -> None:
    """`each` live shares per (agency, model, permission), of objects the page does not show,
    written straight to the tables (sharing records and guardian's rows) so that 10,000 take
    a second, not 10,000 calls of accounts.sharing.share: for query counts as grants grow."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission

    from accounts.sharing import (
        Article6Basis,
        ConsentPosition,
        SharingDecision,
        SharingRecord,
        _grant_group,
    )

    records, rows = [], []
    for agency, model, permission in granted:
        content_type = ContentType.objects.get_for_model(model)
        perm = Permission.objects.get(content_type=content_type, codename=permission.split(".")[1])
        group = _grant_group(Agency.objects.get(pk=agency.pk))
        for object_id in range(first_id, first_id + each):
            records.append(SharingRecord(
                content_type=content_type, object_id=object_id, what=f"Bulk {object_id}",
                permission=permission, agency=agency, decision=SharingDecision.SHARED, by=by,
                article6=Article6Basis.PUBLIC_TASK, consent=ConsentPosition.GIVEN,
                family_told=True,
            ))  # fmt: skip
            rows.append(GroupObjectPermission(
                group=group, permission=perm, content_type=content_type,
                object_pk=str(object_id),
            ))  # fmt: skip
    SharingRecord.objects.bulk_create(records, batch_size=2000)
    GroupObjectPermission.objects.bulk_create(rows, batch_size=2000)
