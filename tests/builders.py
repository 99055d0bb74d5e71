"""Small hand-made data sets written as contract CSV files, loaded through the real loader."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from sqlalchemy import Engine

from data_access.loader import LoadReport, load_folder


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / name).write_text(dedent(body).lstrip(), encoding="utf-8")
    return folder


def load_files(engine: Engine, folder: Path, files: dict[str, str], **options: bool) -> LoadReport:
    return load_folder(engine, write_folder(folder, files), **options)


# A system (ICB1) with two places (D1, D2), one neighbourhood each, and one hospital site.
AREAS = """
    code,name,level,parent_code,population_65_plus,population_all
    ICB1,Test system,icb,,3000,10000
    D1,Place one,district,ICB1,1000,4000
    D2,Place two,district,ICB1,2000,6000
    N1,Neighbourhood one,neighbourhood,D1,1000,4000
    N2,Neighbourhood two,neighbourhood,D2,2000,6000
"""
SITES = """
    code,name,trust_code,trust_name,area_code
    S1,Test hospital,T1,Test trust,ICB1
"""
SERVICES = """
    code,name,pathway,setting,provider,sector,area_code,places
    P1H,Place one reablement,1,home,Council one,local_authority,D1,10
    P1X,Place two reablement,1,home,Council two,local_authority,D2,5
    P2B,System rehab beds,2,bed,Community trust,nhs,ICB1,20
    P3C,Place two D2A beds,3,bed,Care homes,independent,D2,5
"""
GEOGRAPHY = {"areas.csv": AREAS, "sites.csv": SITES, "services.csv": SERVICES}
EPISODE_HEADER = ("episode_id,person_ref,site_code,home_area_code,age,sex,admitted_at,nctr_at,"
                  "referred_to_hub_at,pathway,discharged_at,service_code,service_start_at,"
                  "service_end_at,end_outcome,readmitted_at,at_home_91_days\n")
