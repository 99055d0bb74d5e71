"""The structure of one integrated care system: areas, acute sites and intermediate care services.

Geography and populations are real (reference_data/geography); neighbourhoods, services and
catchments are invented. Service places are set later, from the simulated demand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from demo.synthetic.parameters import (
    MEETS_NEEDS_OF_KIND,
    NEEDS_OF_KIND,
    P1_NHS_REHAB_SHARE_OF_PLACES,
    P2_COMMUNITY_HOSPITAL_SHARE_OF_PLACES,
    SERVICE_SHARES,
    SERVICE_TYPE_OF_KIND,
)
from demo.synthetic.reference import acute_trusts, geography, upper_tiers


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    parent_code: str | None
    population_65_plus: int
    population_all: int
    upper_tier_code: str | None = None  # a district's upper-tier local authority


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    trust_code: str
    trust_name: str
    area_code: str


@dataclass
class Service:
    code: str
    name: str
    pathway: int
    setting: str
    provider: str
    sector: str
    area_code: str
    districts: tuple[int, ...]  # indexes of the districts (places) it serves
    routing_weight: float  # relative share of each served place's referrals of this pathway
    places: int = 0
    service_type: str = ""  # SERVICE_TYPE_OF_KIND
    meets_needs: str = ""  # MEETS_NEEDS_OF_KIND
    needs_of_its_people: str = ""  # NEEDS_OF_KIND: what the people routed here need


@dataclass
class System:
    icb_code: str
    areas: list[Area]
    districts: list[Area]
    neighbourhoods: list[Area]
    neighbourhood_district: np.ndarray  # district index of each neighbourhood
    sites: list[Site]
    services: list[Service]
    catchment: np.ndarray  # (sites, districts): relative pull of each site on each district


# Real hospital names of known trusts; other trusts get "<trust> main site".
KNOWN_SITES: dict[str, tuple[str, str]] = {
    "RKB": ("RKB01", "University Hospital Coventry"),
    "RJC": ("RJC02", "Warwick Hospital"),
    "RLT": ("RLT01", "George Eliot Hospital"),
}
# Which acute trust people of each Coventry and Warwickshire district are admitted to (we choose,
# following the hospitals' locations); other systems draw on every district by population.
CATCHMENTS: dict[str, dict[str, float]] = {
    "E08000026": {"RKB": 0.92, "RLT": 0.05, "RJC": 0.03},  # Coventry
    "E07000220": {"RKB": 0.85, "RJC": 0.10, "RLT": 0.05},  # Rugby
    "E07000218": {"RLT": 0.70, "RKB": 0.25, "RJC": 0.05},  # North Warwickshire
    "E07000219": {"RLT": 0.75, "RKB": 0.23, "RJC": 0.02},  # Nuneaton and Bedworth
    "E07000222": {"RJC": 0.80, "RKB": 0.18, "RLT": 0.02},  # Warwick
    "E07000221": {"RJC": 0.80, "RKB": 0.15, "RLT": 0.05},  # Stratford-on-Avon
}
# Councils running adult social care (reablement) where the district is not the council.
SOCIAL_CARE_AUTHORITIES: dict[str, str] = {
    "E08000026": "Coventry City Council",
    **{code: "Warwickshire County Council"
       for code in ("E07000218", "E07000219", "E07000220", "E07000221", "E07000222")},
}
# NHS community providers (home rehab teams, community hospitals) where known.
COMMUNITY_PROVIDERS: dict[str, str] = {
    "E08000026": "Coventry and Warwickshire Partnership NHS Trust",
    **{code: "South Warwickshire NHS Foundation Trust"
       for code in ("E07000218", "E07000219", "E07000220", "E07000221", "E07000222")},
}
NEIGHBOURHOOD_NAMES = {2: ("North", "South"), 3: ("North", "Central", "South"),
                       4: ("North", "East", "South", "West")}


def region_code(region_name: str) -> str:
    """The geography file has region names only: a stable invented code."""
    return "REG-" + re.sub(r"[^A-Z0-9]+", "-", region_name.upper()).strip("-")


def short_icb_name(icb_name: str) -> str:
    return icb_name.removeprefix("NHS ").removesuffix(" Integrated Care Board")


def build_system(icb_code: str, rng: np.random.Generator, used_codes: set[str]) -> System:
    """Areas, sites and services of one ICB. `used_codes` keeps area codes unique across ICBs."""
    rows = geography()[geography()["icb22_code"] == icb_code]
    areas = _upper_areas(rows)
    districts: list[Area] = []
    neighbourhoods: list[Area] = []
    owner: list[int] = []
    for row in rows.itertuples():
        district = _district(row, used_codes)
        districts.append(district)
        for part in _neighbourhoods(district, rng):
            neighbourhoods.append(part)
            owner.append(len(districts) - 1)
    councils, districts = _upper_tier_areas(icb_code, list(rows["ltla22_code"]), districts,
                                            used_codes)
    sites = _sites(icb_code)
    system = System(icb_code, areas + councils + districts + neighbourhoods, districts,
                    neighbourhoods,
                    np.array(owner), sites, [], _catchment(sites, districts))
    system.services = _services(system, short_icb_name(rows["icb22_name"].iloc[0]), rng)
    return system


def _upper_areas(rows: pd.DataFrame) -> list[Area]:
    first = rows.iloc[0]
    region = region_code(first["region_name"])
    areas = [
        Area(region, first["region_name"], "region", None, *_population(geography(), "region_name",
                                                                       first["region_name"])),
        Area(first["icb22_code"], first["icb22_name"], "icb", region,
             *_population(rows, "icb22_code", first["icb22_code"])),
    ]
    for code, name in dict(zip(rows["sicbl22_code"], rows["sicbl22_name"], strict=True)).items():
        areas.append(Area(code, name, "sub_icb", first["icb22_code"],
                          *_population(rows, "sicbl22_code", code)))
    return areas


def _upper_tier_areas(icb_code: str, ltla_codes: list[str], districts: list[Area],
                      used_codes: set[str]) -> tuple[list[Area], list[Area]]:
    """The upper-tier local authorities (Health and Wellbeing Boards) of the system's districts,
    each as the part of it in the system, and the districts naming theirs. A code already taken
    (a unitary authority is also its own district; a council in two systems) gets the system's
    code after it."""
    members: dict[str, list[int]] = {}
    for index, ltla in enumerate(ltla_codes):
        members.setdefault(upper_tiers()[ltla][0], []).append(index)
    everywhere = geography()
    councils, node_of = [], {}
    for upper, indexes in members.items():
        ltlas_of_council = [ltla for ltla, (code, _) in upper_tiers().items() if code == upper]
        systems = set(everywhere.loc[everywhere.ltla22_code.isin(ltlas_of_council), "icb22_code"])
        code = upper if upper not in used_codes else f"{upper}-{icb_code}"
        used_codes.add(code)
        name = upper_tiers()[ltla_codes[indexes[0]]][1]
        suffix = "Health and Wellbeing Board" + (", part" if systems != {icb_code} else "")
        councils.append(Area(code, f"{name} ({suffix})", "utla", icb_code,
                             sum(districts[i].population_65_plus for i in indexes),
                             sum(districts[i].population_all for i in indexes)))
        node_of.update(dict.fromkeys(indexes, code))
    return councils, [replace(district, upper_tier_code=node_of[i])
                      for i, district in enumerate(districts)]


def _population(rows: pd.DataFrame, column: str, value: str) -> tuple[int, int]:
    part = rows[rows[column] == value]
    return int(part["population_65_plus"].sum()), int(part["population_all"].sum())


def _district(row: object, used_codes: set[str]) -> Area:
    code, name = row.ltla22_code, row.ltla22_name  # type: ignore[attr-defined]
    if code in used_codes:  # a district split between sub-ICB locations appears once per part
        code, name = f"{code}-{row.sicbl22_code}", f"{name} (part)"  # type: ignore[attr-defined]
    used_codes.add(code)
    return Area(code, name, "district", row.sicbl22_code,  # type: ignore[attr-defined]
                int(row.population_65_plus), int(row.population_all))  # type: ignore[attr-defined]


def _neighbourhoods(district: Area, rng: np.random.Generator) -> list[Area]:
    """2-4 invented neighbourhoods splitting the district's population by random shares."""
    count = 4 if district.population_65_plus >= 40_000 else (
        3 if district.population_65_plus >= 20_000 else 2)
    shares = rng.dirichlet(np.full(count, 8.0))
    older = _split_exactly(district.population_65_plus, shares)
    everyone = _split_exactly(district.population_all, shares)
    base_name = district.name.removesuffix(" (part)")
    return [Area(f"{district.code}-N{i + 1}", f"{base_name} {direction}", "neighbourhood",
                 district.code, int(older[i]), int(everyone[i]))
            for i, direction in enumerate(NEIGHBOURHOOD_NAMES[count])]


def _split_exactly(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole numbers in proportion to `shares` that add up to `total` (largest remainders)."""
    exact = total * shares
    parts = np.floor(exact).astype(int)
    parts[np.argsort(parts - exact)[: total - parts.sum()]] += 1
    return parts


def _sites(icb_code: str) -> list[Site]:
    sites = []
    for trust_code, trust_name in acute_trusts(icb_code):
        code, name = KNOWN_SITES.get(trust_code, (f"{trust_code}01", f"{trust_name} main site"))
        sites.append(Site(code, name, trust_code, trust_name, icb_code))
    return sites


def _catchment(sites: list[Site], districts: list[Area]) -> np.ndarray:
    """Known catchments where listed, otherwise every site draws on every district alike."""
    return np.array([[CATCHMENTS[d.code].get(s.trust_code, 0.0) if d.code in CATCHMENTS else 1.0
                      for d in districts] for s in sites])


def _services(system: System, icb_short: str, rng: np.random.Generator) -> list[Service]:
    """Per place: reablement (+ NHS home rehab in some), D2A beds (+ community hospital beds in
    some) and pathway 3 beds; system-wide: bridging care and two bed services."""
    services = [service for index in range(len(system.districts))
                for service in _place_services(system, index, rng)]
    everywhere = tuple(range(len(system.districts)))
    largest = max(everywhere, key=lambda i: system.districts[i].population_65_plus)
    nhs = COMMUNITY_PROVIDERS.get(system.districts[largest].code) or _main_trust_name(system,
                                                                                    largest)
    kinds = [("P1-BR", "discharge bridging care", 1, "home", "Independent home care providers",
              "independent"),
             ("P2-ICU", "intermediate care unit", 2, "bed", nhs, "nhs"),
             ("P3-NUR", "nursing and dementia assessment beds", 3, "bed",
              "Independent nursing homes", "independent")]
    return services + [Service(f"{system.icb_code}-{kind}", f"{icb_short} {label}", pathway,
                               setting, provider, sector, system.icb_code, everywhere,
                               SERVICE_SHARES[kind], service_type=SERVICE_TYPE_OF_KIND[kind],
                               meets_needs=MEETS_NEEDS_OF_KIND.get(kind, ""),
                               needs_of_its_people=NEEDS_OF_KIND.get(kind, ""))
                       for kind, label, pathway, setting, provider, sector in kinds]


def _place_services(system: System, index: int, rng: np.random.Generator) -> list[Service]:
    district = system.districts[index]
    council = SOCIAL_CARE_AUTHORITIES.get(district.code, f"{district.name} adult social care")
    nhs = COMMUNITY_PROVIDERS.get(district.code) or _main_trust_name(system, index)
    care_homes = f"Independent care homes ({district.name})"
    kinds = [("P1-RA", "reablement at home", 1, "home", council, "local_authority")]
    if rng.random() < P1_NHS_REHAB_SHARE_OF_PLACES:
        kinds.append(("P1-HR", "home-based rehabilitation", 1, "home", nhs, "nhs"))
    kinds.append(("P2-D2A", "discharge-to-assess beds", 2, "bed", care_homes, "independent"))
    if rng.random() < P2_COMMUNITY_HOSPITAL_SHARE_OF_PLACES:
        kinds.append(("P2-CH", "community hospital rehabilitation beds", 2, "bed", nhs, "nhs"))
    kinds.append(("P3-D2A", "pathway 3 assessment beds", 3, "bed", care_homes, "independent"))
    return [Service(f"{district.code}-{kind}", f"{district.name} {label}", pathway, setting,
                    provider, sector, district.code, (index,), SERVICE_SHARES[kind],
                    service_type=SERVICE_TYPE_OF_KIND[kind],
                    meets_needs=MEETS_NEEDS_OF_KIND.get(kind, ""),
                               needs_of_its_people=NEEDS_OF_KIND.get(kind, ""))
            for kind, label, pathway, setting, provider, sector in kinds]


def _main_trust_name(system: System, district_index: int) -> str:
    return system.sites[int(np.argmax(system.catchment[:, district_index]))].trust_name
