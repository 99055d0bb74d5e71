"""A synthetic but realistic intermediate care system, written as the contract CSV files.

The model in plain words (parameters and their sources are in parameters.py)
---------------------------------------------------------------------------
* Geography is real: the ICB's sub-ICB locations and districts with their ONS populations
  (reference_data/geography). Each district is split into 2-4 invented neighbourhoods.
* Each acute trust of the ICB that publishes the NHS England discharge sitrep is one site. Every
  day a number of people stop meeting the criteria to reside (NCTR) at each site: a Poisson count
  around the trust's published mean daily discharges times its published weekday and month-of-year
  factors (reference_data/nhse_discharge_sitrep/trust_daily_nctr.csv), mostly at the morning
  board round.
* Each person gets a pathway (domain.md mix: 85% P0, 8.5% P1, 3.6% P2, 2.9% P3, a little more
  support in winter), an age, sex and a home neighbourhood (by population 65+ and the site's
  catchment).
* Pathways 1-3 go through the care transfer hub (referral, pathway decision, arrangements; some
  fast-tracked, some complex) and then take, first come first served, the first free place in a
  service of their pathway serving their place (intermediate_care.py). Places are commissioned to
  the simulated demand with a small margin, so services run 85-95% full, queue when demand peaks
  and open escalation places when waits get long. Discharge is when a place is free (bed) or the
  first visit is booked (home); the service then lasts a lognormal time (domain.md lengths).
* Each trust's hub pace is set so that its pathway 1-3 people are 70% of the people it has
  waiting at midnight (its published "remaining" level).
* Pathway 0 people mostly leave a few hours after NCTR, the rest on a later day (long tail). Who
  leaves later is solved per trust and month so that the people still waiting at midnight match
  the trust's published remaining level and its month pattern (pathway0.py). With the arrivals this
  calibrates the sitrep's daily NCTR patients, discharges and remaining per trust.
* Delay reasons follow the journey for pathways 1-3 (H3, T1, interface, capacity) and the trust's
  published reason mix otherwise (trust_monthly_delay_reasons.csv).
* Capacity reports count the people in each service at report time; closures, missing and stale
  reports imitate real returns.
* The simulation starts 120 days before the history window (so services are full on day one) and
  knows the future; the files show the system as it is at `now`, with later events blank.

Only reference_data/ is read. Output is deterministic for a seed, and an ICB's data do not depend
on which other ICBs are generated with it.
"""

from demo.synthetic.generate import all_icb_codes, generate_system

__all__ = ["all_icb_codes", "generate_system"]
