"""A synthetic but realistic intermediate care system, written as the six contract CSV files.

The model in plain words
------------------------
* Geography is real: the ICB's sub-ICB locations and districts with their ONS populations
  (reference_data/geography). Each district is split into 2-4 invented neighbourhoods.
* Each acute trust of the ICB that publishes the NHS England discharge sitrep is one site. Every
  day a number of people stop meeting the criteria to reside (NCTR) at each site: a Poisson count
  around the trust's published mean daily discharges, times its published weekday and month-of-year
  factors (reference_data/nhse_discharge_sitrep/trust_daily_nctr.csv).
* Each person gets a pathway (domain.md mix: 85% P0, 8.5% P1, 3.6% P2, 2.9% P3), an age, sex and
  a home neighbourhood (by population 65+ and the site's catchment).
* Pathways 1-3 go through the care transfer hub (referral, pathway decision, arrangements) and
  then queue, first come first served, for a place in a service of their pathway serving their
  place. Places are commissioned to the simulated demand with a small margin, so services run
  85-95% full and queues form when demand peaks. Discharge is when a place is free (bed) or the
  first visit is booked (home); the service then lasts a lognormal time (domain.md lengths).
* Pathway 0 people mostly leave a few hours after NCTR; the rest on a later day (long tail). The
  share leaving later is solved per trust so that the number still waiting at midnight matches
  the trust's published "remaining" level, which with the arrivals calibrates the sitrep's daily
  NCTR patients and discharges.
* Delay reasons follow the journey for pathways 1-3 (H3, T1, interface, capacity) and the trust's
  published reason mix otherwise (trust_monthly_delay_reasons.csv).
* Capacity reports count the people in each service at report time; closures, missing and stale
  reports imitate real returns.
* The simulation starts 120 days before the history window (so services are full on day one) and
  knows the future; the files show the system as it is at `now`, with later events blank.

Only reference_data/ is read. Output is deterministic for a seed.
"""

from dashboard.synthetic.generate import all_icb_codes, generate_system

__all__ = ["all_icb_codes", "generate_system"]
