"""Value pools for the benchmark generator: fictional parties, real code values.

Every person and organisation here is invented. Codes are real so that the
files look like production traffic: ICD-10-CM diagnosis codes that are billable
leaves in the FY2024+ code set (M54.5 and R05 were split in FY2022, so their
children M54.50 and R05.1 stand in for them), CPT/HCPCS procedure codes,
CMS place-of-service codes and CARC adjustment reasons.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

BASE_DATE = date(2024, 3, 4)


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST_NAMES = _words(
    "AVA BENNETT CLARA DORIAN ELISE FINN GRETA HOLLIS IMOGEN JASPER KESTREL LIONEL "
    "MARISOL NOLAN ODALYS PERRIN QUINCY ROSALIND SILAS TAMSIN ULRIC VIVIENNE WREN "
    "XAVIER YSOLDE ZEPHYR ANSEL BRIONY CASPIAN DELPHINE EVANDER FARRAH GIDEON HESTER "
    "IGNATIUS JUNO"
)
LAST_NAMES = _words(
    "ABERWICK BRAMBLETON CALLOWAY DUNMORROW ELDERBY FENWHISTLE GALLOWAY HOLLINGBROOK "
    "IVERSLEY JARNDYCE KETTLEWORTH LINDQVISTER MARROWFIELD NETHERCOTT OAKENSHAW "
    "PEMBERLY QUILLAN ROOKWOOD SALTONSTALE THISTLEWOOD UNDERHAY VANTERPOOL "
    "WINTERBOURNE YARBOROUGH ZELLWEGER ASHGROVE BLACKTHORN CRANBROOKE DRAYCOTT "
    "EVERSLEIGH FAIRWEATHER GREYSTOKE HARTWELL INGLEBY"
)
MIDDLE_INITIALS = ("A", "B", "C", "D", "E", "J", "L", "M", "R", "S", "T", "")
STREETS = _words(
    "MAPLE RIDGE RD|OLD MILL LN|HARBOR VIEW DR|SYCAMORE CT|LANTERN WAY|CEDAR HOLLOW|"
    "FOXGLOVE AVE|WILLOW BEND|QUARRY ST|ORCHARD PKWY|BIRCHWOOD BLVD|KINGFISHER LN",
    sep="|",
)
# (fictional city, real state code, zip prefix)
CITIES = (
    ("BRIARWOOD", "OH", "430"),
    ("MILLHAVEN", "PA", "170"),
    ("STONEBRIDGE", "TX", "750"),
    ("LAKEMONT", "GA", "303"),
    ("FERNDALE HOLLOW", "OR", "972"),
    ("ASHFORD GLEN", "NC", "275"),
    ("PINECREST VALLEY", "AZ", "850"),
    ("REDFERN", "MN", "554"),
    ("SILVERLAKE", "CO", "802"),
    ("NORTHBROOK FALLS", "IL", "606"),
    ("WESTHAVEN", "MA", "021"),
    ("GRANITE BAY", "CA", "956"),
)
PRACTICE_WORDS = _words(
    "MAPLE RIDGE|BLUE HERON|CEDAR POINT|LANTERN HILL|SILVER BIRCH|STONEGATE|"
    "HARBORLIGHT|WILLOWBROOK|FOXHOLLOW|NORTHSTAR|RIVERBEND|OAK MEADOW",
    sep="|",
)
PRACTICE_KINDS = _words(
    "FAMILY MEDICINE|PEDIATRICS|INTERNAL MEDICINE|MEDICAL GROUP|PRIMARY CARE|"
    "PHYSICAL THERAPY|HEALTH PARTNERS|CLINIC",
    sep="|",
)
# provider taxonomy codes (NUCC): family medicine, pediatrics, internal medicine, PT, multi-spec
TAXONOMIES = ("207Q00000X", "208000000X", "207R00000X", "225100000X", "193200000X")
# (payer name, payer id, claim filing indicator for 837 SBR09, for 835 CLP06)
PAYERS = (
    ("NORTHWIND HEALTH PLAN", "NWHP1", "CI", "12"),
    ("CONTOSO MUTUAL INSURANCE", "CMI22", "CI", "12"),
    ("FABRIKAM CARE HMO", "FCH30", "HM", "HM"),
    ("TAILSPIN BENEFIT TRUST", "TBT47", "BL", "12"),
    ("WOODGROVE MEDICAID PLAN", "WMP58", "MC", "MC"),
    ("LITWARE SENIOR ADVANTAGE", "LSA61", "16", "16"),
    ("ADVENTUREWORKS HEALTH", "AWH73", "CI", "13"),
)

# Billable ICD-10-CM codes, written without the dot as X12 carries them.
DIAGNOSES = _words(
    "E119 I10 J069 M5450 Z0000 R051 E785 K219 N390 J449 F329 M25561 Z23 E1165 I2510 "
    "R509 J209 G4733 R42 L309 H6690 M79604 R1084 Z01419 E039 F419 B349 J309"
)
# (CPT/HCPCS code, modifier choices, charge range in cents per unit, max units)
PROCEDURES = (
    ("99213", ("", "", "25"), (9_000, 16_000), 1),
    ("99214", ("", "", "25"), (14_000, 23_000), 1),
    ("99203", ("",), (11_000, 18_000), 1),
    ("99396", ("",), (18_000, 29_000), 1),
    ("36415", ("",), (1_000, 3_000), 1),
    ("85025", ("",), (2_000, 6_000), 1),
    ("80053", ("",), (3_000, 8_000), 1),
    ("81002", ("",), (1_000, 2_500), 1),
    ("90471", ("",), (2_000, 4_000), 1),
    ("90686", ("",), (3_000, 5_500), 1),
    ("93000", ("",), (4_000, 9_000), 1),
    ("71046", ("", "26"), (7_000, 16_000), 1),
    ("97110", ("GP", "GP:59"), (4_000, 7_500), 4),
    ("97140", ("GP",), (4_000, 7_000), 3),
    ("G0008", ("",), (2_500, 4_000), 1),
    ("J1100", ("",), (500, 1_500), 4),
)
PLACES_OF_SERVICE = ("11", "11", "11", "11", "22", "02")
# CARC codes by adjustment group
CONTRACTUAL = ("45",)
PATIENT_RESP = ("1", "2", "3")
DENIAL = ("50", "96", "197", "16")
# PLB adjustment reasons: (code, sign) where +1 takes money back from the payee
PLB_REASONS = (("WO", 1), ("FB", 1), ("L6", -1), ("72", 1))
# valid IRS EIN prefixes
EIN_PREFIXES = ("12", "20", "23", "31", "36", "41", "52", "56", "62", "75", "84", "91", "94")


def npi_check_digit(base9: str) -> str:
    """Luhn check digit of a 9-digit NPI base, computed with the 80840 card-issuer prefix."""
    digits = [int(d) for d in "80840" + base9]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:  # rightmost digit of the payload is doubled (check digit goes after it)
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_npi(rng: random.Random) -> str:
    base = str(rng.choice((1, 2))) + f"{rng.randrange(100_000_000):08d}"
    return base + npi_check_digit(base)


def npi_is_valid(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == npi[9]


def make_tin(rng: random.Random) -> str:
    return rng.choice(EIN_PREFIXES) + f"{rng.randrange(10_000_000):07d}"


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    city: str
    state: str
    zip5: str
    zip4: str


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    npi: str
    tin: str
    taxonomy: str
    address: Address
    phone: str


def make_address(rng: random.Random) -> Address:
    city, state, prefix = rng.choice(CITIES)
    return Address(
        street=f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}",
        city=city,
        state=state,
        zip5=prefix + f"{rng.randrange(100):02d}",
        zip4=f"{rng.randrange(1, 10_000):04d}",
    )


def make_phone(rng: random.Random) -> str:
    return f"{rng.randrange(201, 990)}555{rng.randrange(100, 200):04d}"


def make_provider(rng: random.Random) -> Provider:
    return Provider(
        name=f"{rng.choice(PRACTICE_WORDS)} {rng.choice(PRACTICE_KINDS)}",
        npi=make_npi(rng),
        tin=make_tin(rng),
        taxonomy=rng.choice(TAXONOMIES),
        address=make_address(rng),
        phone=make_phone(rng),
    )


def aba_routing(rng: random.Random) -> str:
    """A 9-digit routing number with a valid ABA checksum."""
    d = [rng.randrange(10) for _ in range(8)]
    d[0] = rng.choice((0, 1, 2, 3))
    partial = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
    d.append((10 - partial % 10) % 10)
    return "".join(map(str, d))


class Line:
    """A service line: procedure, modifiers, charge in cents, units, diagnosis pointers."""

    __slots__ = ("charge", "code", "mods", "ptrs", "units")

    def __init__(self, code: str, mods: str, charge: int, units: int, ptrs: str) -> None:
        self.code, self.mods, self.charge, self.units, self.ptrs = code, mods, charge, units, ptrs

    def composite(self) -> str:
        return f"HC:{self.code}:{self.mods}" if self.mods else f"HC:{self.code}"


def service_lines(rng: random.Random, n_dx: int) -> list[Line]:
    """1-4 lines; pointers name 1..n_dx diagnoses."""
    n_lines = rng.choices((1, 2, 3, 4), weights=(40, 30, 20, 10))[0]
    lines = []
    for _ in range(n_lines):
        code, mods, (lo, hi), max_units = rng.choice(PROCEDURES)
        units = rng.randint(1, max_units)
        per_unit = rng.randrange(lo, hi) // 5 * 5
        k = rng.randint(1, n_dx)
        ptrs = ":".join(str(i) for i in sorted(rng.sample(range(1, n_dx + 1), k)))
        lines.append(Line(code, rng.choice(mods), per_unit * units, units, ptrs))
    return lines


class Person:
    """A fictional person, DOB counted back from BASE_DATE."""

    __slots__ = ("dob", "first", "last", "mi", "sex")

    def __init__(self, rng: random.Random, min_age: int, max_age: int) -> None:
        self.first = rng.choice(FIRST_NAMES)
        self.last = rng.choice(LAST_NAMES)
        self.mi = rng.choice(MIDDLE_INITIALS)
        self.sex = rng.choice("FM")
        self.dob = BASE_DATE - timedelta(days=rng.randint(min_age * 365, max_age * 365))
