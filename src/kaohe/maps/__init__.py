"""The office's map of its area (issue 10 §4): one uploaded GeoJSON whose features carry the unit codes; the
dashboard and the public results page colour the units by grade, score or an indicator's score."""
