"""CIN census codes of DOMAIN.md ("CIN census"), exactly as the census has them."""

from __future__ import annotations

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Unknown"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Autism or Asperger's"
    DDA = "DDA", "Other"


class UPNUnknown(models.TextChoices):
    UN1 = "UN1", "Not yet of school age"
    UN2 = "UN2", "Never attended an English maintained school"
    UN3 = "UN3", "Educated outside England"
    UN4 = "UN4", "Not yet known"
    UN5 = "UN5", "Sources disagree"
    UN6 = "UN6", "Not found"
    UN7 = "UN7", "Referral with no further action"


class ReferralSource(models.TextChoices):
    FAMILY = "1A", "Individual: family, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance (neighbour, childminder)"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other (a stranger, say)"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    SCHOOL_NURSE = "3C", "Health: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health: other primary health services"
    A_AND_E = "3E", "Health: A&E"
    OTHER_HEALTH = "3F", "Health: other (a hospice, say)"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "LA services: social care (adults, say)"
    OTHER_LA_DEPARTMENT = "5B", "LA services: other department (youth offending, say)"
    ANOTHER_LA = "5C", "LA services: another local authority"
    LA_EARLY_HELP = "5D", "LA services: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency (courts, probation, Cafcass, prison)"
    OTHER = "8", "Other (children's centre, voluntary provider)"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


def validate_disabilities(codes: list[str]) -> list[str]:
    """Census rules: known codes, no repeats, and NONE stands alone. Returns the problems."""
    problems = []
    unknown = [code for code in codes if code not in Disability.values]
    if unknown:
        problems.append(f"Unknown disability codes: {', '.join(unknown)}")
    if len(set(codes)) != len(codes):
        problems.append("A disability code is given twice")
    if Disability.NONE in codes and len(codes) > 1:
        problems.append("'No disability' cannot be chosen with a disability")
    return problems


class ConsentPosition(models.TextChoices):
    """DOMAIN.md "Information sharing": consent position, exactly."""

    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused (sharing may still proceed on another basis)"
    NOT_SOUGHT_CANNOT_BE_GIVEN = "not_sought_cannot_be_given", "Not sought: consent cannot be given"
    NOT_SOUGHT_CANNOT_REASONABLY_BE_OBTAINED = (
        "not_sought_cannot_reasonably_be_obtained",
        "Not sought: consent cannot reasonably be obtained",
    )
    NOT_SOUGHT_WOULD_PREJUDICE = (
        "not_sought_would_prejudice_protection",
        "Not sought: asking would prejudice protection",
    )
