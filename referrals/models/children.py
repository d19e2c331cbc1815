"""Children and the adults around them (households and relationships), and the allocation of a
child's work to a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.audit import register_audited
from casework.references import about_child, child_reference
from referrals.codes import Ethnicity, Sex, UPNUnknown, validate_disabilities
from referrals.identifiers import normalise_nhs_number, validate_nhs_number, validate_upn
from referrals.matching import fold, phonetic
from referrals.models.local_data import Team


class NamedRecord(models.Model):
    """Names and identity fields, searchable (never in __str__, URLs, logs or e-mails)."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(
        max_length=10, blank=True, db_index=True, validators=[validate_nhs_number]
    )
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Search keys derived from the names (referrals.matching), kept for SQL lookups.
    first_name_key = models.CharField(max_length=100, editable=False, db_index=True)
    last_name_key = models.CharField(max_length=100, editable=False, db_index=True)
    last_name_sound = models.CharField(max_length=20, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Derived columns of the record itself (no other record is touched).
        self.nhs_number = normalise_nhs_number(self.nhs_number)
        self.first_name_key = fold(self.first_name)
        self.last_name_key = fold(self.last_name)
        self.last_name_sound = phonetic(self.last_name)
        super().save(*args, **kwargs)


@register_audited
class Child(NamedRecord):
    """A child, with what the CIN census records. `census_id` is the stable `LAchildID`."""

    expected_date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True, help_text="PersonDeathDate")
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    disabilities = models.JSONField(default=list, blank=True)
    upn = models.CharField(max_length=13, blank=True, validators=[validate_upn])
    former_upn = models.CharField(max_length=13, blank=True, validators=[validate_upn])
    upn_unknown = models.CharField(max_length=3, choices=UPNUnknown.choices, blank=True)

    class Meta:
        verbose_name_plural = "children"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(
                    date_of_birth__isnull=False, expected_date_of_birth__isnull=False
                ),
                name="child_birth_or_expected_birth_not_both",
            )
        ]
        indexes = [
            models.Index(fields=["date_of_birth", "last_name_sound"], name="child_match"),
            # The search (referrals.selectors.search_register): each way a name matches is
            # read in this order and stops at the page's limit; postcode and UPN looked up.
            models.Index(fields=["last_name_sound", "last_name_key", "first_name_key", "id"],
                         name="child_search_sound"),
            models.Index(fields=["last_name_key", "first_name_key", "id"],
                         name="child_search_name"),
            models.Index(fields=["first_name_key", "last_name_key", "id"],
                         name="child_search_first"),
            models.Index(fields=["last_name_sound", "first_name_key", "last_name_key", "id"],
                         name="child_search_sound_first"),
            models.Index(fields=["postcode"], name="child_search_postcode"),
            models.Index(fields=["upn"], name="child_search_upn"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Child {self.census_id}"

    @property
    def census_id(self) -> str:
        return child_reference(self.pk)

    def get_additional_data(self) -> dict[str, str]:
        return {"child_ref": self.census_id}

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.date_of_birth and self.expected_date_of_birth:
            errors["expected_date_of_birth"] = (
                "Give the date of birth or the expected date of birth, not both"
            )
        problems = validate_disabilities(list(self.disabilities or []))
        if problems:
            errors["disabilities"] = problems
        if self.date_of_death and self.expected_date_of_birth:
            errors["date_of_death"] = (
                "An unborn child has no date of death: record the date of birth first"
            )
        elif self.date_of_death and self.date_of_birth and self.date_of_death < self.date_of_birth:
            errors["date_of_death"] = "The date of death cannot be before the date of birth"
        if self.date_of_death and self.date_of_death > timezone.localdate():
            errors["date_of_death"] = "The date of death cannot be in the future"
        if self.expected_date_of_birth and self.sex != Sex.UNKNOWN:
            errors["sex"] = "An unborn child's sex is recorded as unknown"
        if errors:
            raise ValidationError(errors)


@register_audited
class Person(NamedRecord):
    """An adult around a child: parent, carer, partner, alleged perpetrator."""

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["date_of_birth", "last_name_sound"], name="person_match"),
            # The search, as for children.
            models.Index(fields=["last_name_sound", "last_name_key", "first_name_key", "id"],
                         name="person_search_sound"),
            models.Index(fields=["last_name_key", "first_name_key", "id"],
                         name="person_search_name"),
            models.Index(fields=["first_name_key", "last_name_key", "id"],
                         name="person_search_first"),
            models.Index(fields=["last_name_sound", "first_name_key", "last_name_key", "id"],
                         name="person_search_sound_first"),
            models.Index(fields=["postcode"], name="person_search_postcode"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Person {self.reference}" if self.pk else "Person (new)"

    @property
    def reference(self) -> str:
        return f"P-{self.pk:06d}"


class Household(models.Model):
    """The people and children who live together; a child may be in more than one."""

    # Not a field: the child a change is made for, set by the service for the audit entry.
    audit_child_id: int

    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    children = models.ManyToManyField(Child, related_name="households", blank=True)
    people = models.ManyToManyField(Person, related_name="households", blank=True)

    def __str__(self) -> str:
        return f"Household H-{self.pk:06d}" if self.pk else "Household (new)"

    def get_additional_data(self) -> dict[str, str]:
        # The child the change was made for (set by the service), else the first child.
        child_id = getattr(self, "audit_child_id", None)
        if child_id is None and self.pk:
            child_id = self.children.order_by("pk").values_list("pk", flat=True).first()
        return about_child(child_id)


# Who joins or leaves a household is audited too, as changes of the household.
register_audited(Household, m2m_fields={"children", "people"})


@register_audited
class Relationship(models.Model):
    """How an adult is related to a child, so that history follows the adult."""

    class Kind(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        STEP_PARENT = "step_parent", "Step-parent"
        PARENTS_PARTNER = "parents_partner", "Parent's partner"
        CARER = "carer", "Carer"
        RELATIVE = "relative", "Relative"
        ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
        OTHER = "other", "Other"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="relationships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    has_parental_responsibility = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "person", "kind"], name="one_relationship_of_a_kind"
            )
        ]

    def __str__(self) -> str:
        return f"Relationship R-{self.pk:06d}" if self.pk else "Relationship (new)"

    def get_additional_data(self) -> dict[str, str]:
        return {"child_ref": self.child.census_id}


@register_audited
class Allocation(models.Model):
    """A child's open work has an allocated worker in a team; history is kept (ended_at)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="allocations")
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_allocation",
            )
        ]
        # The home pages' "my children" and "my teams' children" (issue 21): open ones only.
        indexes = [
            models.Index(
                fields=["worker", "child"],
                condition=models.Q(ended_at__isnull=True),
                name="allocation_open_worker",
            ),
            models.Index(
                fields=["team", "child"],
                condition=models.Q(ended_at__isnull=True),
                name="allocation_open_team",
            ),
        ]

    def __str__(self) -> str:
        return f"Allocation A-{self.pk:06d}" if self.pk else "Allocation (new)"

    def get_additional_data(self) -> dict[str, str]:
        return about_child(self.child_id)
