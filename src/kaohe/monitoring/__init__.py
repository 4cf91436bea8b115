"""Monitoring computations: air quality (HJ 633-2012, HJ 663-2013, GB 3095-2012) and surface water
(GB 3838-2002). Polars frames in, frames out; no Django."""
