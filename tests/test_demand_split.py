"""Walk-ins split over a ward's open shifts (demand.py): the split of all wards at once is each
ward's own largest-remainder split."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.demand import largest_remainder, split_over_open_shifts

PREFERENCES = st.lists(st.sampled_from([0.0, 0.1, 0.15, 0.2, 0.25, 1 / 3, 0.5, 1.0]), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), preference=PREFERENCES)
def test_every_ward_is_split_as_it_would_be_alone(data, preference):
    """Each row: closed all day -> all in the first shift; else largest remainder over the open shifts' preferences."""
    n_shifts = len(preference)
    n_wards = data.draw(st.integers(1, 12))
    totals = np.array(data.draw(st.lists(st.integers(-3, 2_000), min_size=n_wards, max_size=n_wards)))
    open_mask = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=n_shifts, max_size=n_shifts),
                                            min_size=n_wards, max_size=n_wards)))
    weights = np.array(preference)
    split = split_over_open_shifts(totals, open_mask, weights)
    for total, mask, row in zip(totals, open_mask, split):
        if total <= 0:
            assert not row.any()
        elif not mask.any():
            assert row[0] == total and not row[1:].any()
        else:
            wanted = np.where(mask, weights, 0.0)
            if wanted.sum() <= 0:
                wanted = mask.astype(float)
            assert row.tolist() == largest_remainder(int(total), wanted).tolist()
            assert row.sum() == total and not row[~mask].any()
