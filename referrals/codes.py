"""CIN census codes of DOMAIN.md ("CIN census"), exactly as the census has them."""

from __future__ import annotations

from django.db import models

from accounts import sharing


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


# The consent position belongs to the sharing rules (DOMAIN.md "Information sharing").
ConsentPosition = sharing.ConsentPosition


class PrimaryNeed(models.TextChoices):
    """CIN census `PrimaryNeedCode` (none for a referral with no further action)."""

    N1 = "N1", "N1: abuse, neglect and exploitation"
    N2 = "N2", "N2: child's disability"
    N3 = "N3", "N3: parental disability or illness"
    N4 = "N4", "N4: family in acute stress"
    N5 = "N5", "N5: family dysfunction"
    N6 = "N6", "N6: socially unacceptable behaviour"
    N7 = "N7", "N7: low income"
    N8 = "N8", "N8: absent parenting"
    N9 = "N9", "N9: cases other than children in need"
    N0 = "N0", "N0: not stated"


class ReasonForClosure(models.TextChoices):
    """CIN census `ReasonForClosure`."""

    RC1 = "RC1", "RC1: adopted"
    RC2 = "RC2", "RC2: died"
    RC3 = "RC3", "RC3: child arrangements order"
    RC4 = "RC4", "RC4: special guardianship order"
    RC5 = "RC5", "RC5: transferred to another local authority"
    RC6 = "RC6", "RC6: transferred to adult social care"
    RC7 = "RC7", "RC7: case closed for any other reason, including no longer in need"
    RC8 = "RC8", "RC8: closed after assessment, no further action"
    RC9 = "RC9", "RC9: closed after assessment, referred to early help"


class AssessmentFactor(models.TextChoices):
    """CIN census `AssessmentFactors` (A the child, B a parent or carer, C another member of
    the household). 18A and 19A are retired and absent."""

    F1A = "1A", "1A: alcohol misuse, the child"
    F1B = "1B", "1B: alcohol misuse, a parent or carer"
    F1C = "1C", "1C: alcohol misuse, another household member"
    F2A = "2A", "2A: drug misuse, the child"
    F2B = "2B", "2B: drug misuse, a parent or carer"
    F2C = "2C", "2C: drug misuse, another household member"
    F3A = "3A", "3A: domestic abuse, the child"
    F3B = "3B", "3B: domestic abuse, a parent or carer"
    F3C = "3C", "3C: domestic abuse, another household member"
    F4A = "4A", "4A: mental health, the child"
    F4B = "4B", "4B: mental health, a parent or carer"
    F4C = "4C", "4C: mental health, another household member"
    F5A = "5A", "5A: learning disability, the child"
    F5B = "5B", "5B: learning disability, a parent or carer"
    F5C = "5C", "5C: learning disability, another household member"
    F6A = "6A", "6A: physical disability or illness, the child"
    F6B = "6B", "6B: physical disability or illness, a parent or carer"
    F6C = "6C", "6C: physical disability or illness, another household member"
    F7A = "7A", "7A: young carer"
    F8B = "8B", "8B: privately fostered, overseas, intends to return"
    F8C = "8C", "8C: privately fostered, overseas, intends to stay"
    F8D = "8D", "8D: privately fostered, UK, educational placement"
    F8E = "8E", "8E: privately fostered, UK, alternative family arrangement"
    F8F = "8F", "8F: privately fostered, other"
    F9A = "9A", "9A: unaccompanied asylum seeker"
    F10A = "10A", "10A: going missing"
    F11A = "11A", "11A: child sexual exploitation"
    F12A = "12A", "12A: trafficking"
    F13A = "13A", "13A: gangs"
    F14A = "14A", "14A: socially unacceptable behaviour"
    F15A = "15A", "15A: self-harm"
    F16A = "16A", "16A: neglect"
    F17A = "17A", "17A: emotional abuse"
    F18B = "18B", "18B: physical abuse, child on child"
    F18C = "18C", "18C: physical abuse, adult on child"
    F19B = "19B", "19B: sexual abuse, child on child"
    F19C = "19C", "19C: sexual abuse, adult on child"
    F20 = "20", "20: other"
    F21 = "21", "21: no factors identified"
    F22A = "22A", "22A: female genital mutilation"
    F23A = "23A", "23A: abuse linked to faith or belief"
    F24A = "24A", "24A: child criminal exploitation"


NO_FACTORS = AssessmentFactor.F21


def validate_assessment_factors(codes: list[str]) -> list[str]:
    """Census rules: at least one known code, no repeats, and `21` only on its own."""
    problems = []
    if not codes:
        problems.append("Choose the factors identified, or 'no factors identified'")
    unknown = [code for code in codes if code not in AssessmentFactor.values]
    if unknown:
        problems.append(f"Unknown assessment factor codes: {', '.join(unknown)}")
    if len(set(codes)) != len(codes):
        problems.append("A factor is given twice")
    if NO_FACTORS in codes and len(codes) > 1:
        problems.append("'No factors identified' cannot be chosen with a factor")
    return problems


class CategoryOfAbuse(models.TextChoices):
    """The child protection plan's category (`InitialCategoryOfAbuse`)."""

    NEG = "NEG", "Neglect"
    PHY = "PHY", "Physical abuse"
    SAB = "SAB", "Sexual abuse"
    EMO = "EMO", "Emotional abuse"
    MUL = "MUL", "Multiple (not recommended)"
