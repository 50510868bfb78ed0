"""The code lists of England's Children in Need census: each code and its label in plain words.

Codes and labels come from the census schema (CIN_schema_2024.xsd, ../shared/reference/cin-census/): its
enumerations ethnicitytype, disabilitytype, referralsourcetype, primaryneedcodetype, reasonforclosuretype,
unknownupntype and gendertype. The schema gives no labels for the UPN unknown reasons; theirs are the DfE's
(the census guide's UPNunknown list, the common basic data set item N00135), shortened. The referral sources
keep the schema's groups ("Individual", "Health services", ...) in sentence case.
"""

from __future__ import annotations

ETHNICITY: dict[str, str] = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Caribbean",
    "BAFR": "African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

DISABILITY: dict[str, str] = {
    "NONE": "No disability",
    "MOB": "Mobility",
    "HAND": "Hand function",
    "PC": "Personal care",
    "INC": "Incontinence",
    "COMM": "Communication",
    "LD": "Learning",
    "HEAR": "Hearing",
    "VIS": "Vision",
    "BEH": "Behaviour",
    "CON": "Consciousness",
    "AUT": "Autism",
    "DDA": "Other",
}

REFERRAL_SOURCE: dict[str, str] = {
    "1A": "Individual: family member, relative or carer",
    "1B": "Individual: acquaintance (including neighbours and child minders)",
    "1C": "Individual: self",
    "1D": "Individual: other (including strangers)",
    "2A": "Schools",
    "2B": "Education services",
    "3A": "Health services: general practitioner (GP)",
    "3B": "Health services: health visitor",
    "3C": "Health services: school nurse",
    "3D": "Health services: other primary health services",
    "3E": "Health services: A&E (accident and emergency department)",
    "3F": "Health services: other (for example hospice)",
    "4": "Housing: local authority housing or housing association",
    "5A": "LA services: social care (for example adults' social care)",
    "5B": "LA services: other internal (for example youth offending, not housing)",
    "5C": "LA services: external (for example another authority's adults' social care)",
    "5D": "LA services: early help",
    "6": "Police",
    "7": "Other legal agency (courts, probation, immigration, Cafcass, prison)",
    "8": "Other (children's centres, independent providers, voluntary organisations)",
    "9": "Anonymous",
    "10": "Unknown",
}

PRIMARY_NEED: dict[str, str] = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental disability or illness",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
    "N9": "Cases other than children in need",
    "N0": "Not stated",
}

CLOSURE_REASON: dict[str, str] = {
    "RC1": "Adopted",
    "RC2": "Died",
    "RC3": "Child arrangements order",
    "RC4": "Special guardianship order",
    "RC5": "Transferred to services of another local authority",
    "RC6": "Transferred to adult social care services",
    "RC7": "Services ceased for any other reason, including child no longer in need",
    "RC8": "Case closed after assessment, no further action",
    "RC9": "Case closed after assessment, referred to early help",
}

UPN_UNKNOWN: dict[str, str] = {
    "UN1": "Child is under 6 and not yet attending school",
    "UN2": "Child has never attended school in England",
    "UN3": "Child is educated outside England",
    "UN4": "Child is newly arrived in England and has no UPN yet",
    "UN5": "The sources that collate UPNs hold it wrongly or not at all",
    "UN6": "Child is, or has been, an unaccompanied asylum-seeking child",
    "UN7": "Referral with no further action",
}

GENDER: dict[str, str] = {
    "1": "Male",
    "2": "Female",
    "0": "Not recorded, or unborn",
    "9": "Indeterminate",
}

# The UPN's check letter: the DfE's published algorithm. Characters 2 to 13 are weighted 2 to 13 (a letter in the
# 13th place, in a temporary UPN, counts as its position in this alphabet), the sum is taken modulo 23, and the
# remainder picks the letter (I, O and S are never used).
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(rest: str) -> str:
    """The check letter for a UPN's last 12 characters (11 digits, then a digit or a letter)."""
    total = 0
    for weight, char in enumerate(rest, start=2):
        value = int(char) if char.isdigit() else UPN_LETTERS.index(char)
        total += weight * value
    return UPN_LETTERS[total % 23]
