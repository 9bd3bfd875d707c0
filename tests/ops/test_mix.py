"""scripts/bench.py --mix (scripts/loadlib/mix.py): how reads are spread over the
explainers and how a stale read is told apart."""

import random

from scripts.loadlib.mix import DEK, stale_reads, zipf_weights


def test_reads_follow_zipf_so_the_first_explainer_is_read_most():
    weights = zipf_weights(10_000)
    rng = random.Random(1)
    picks = rng.choices(range(10_000), cum_weights=weights, k=20_000)
    top = picks.count(0) / len(picks)
    # Zipf s=1.1 over 10,000: rank 1 draws about 1/H = 14 % of reads, rank 2 about
    # 6.5 %, and the long tail is still read.
    assert 0.12 < top < 0.16
    assert 0.055 < picks.count(1) / len(picks) < 0.075
    assert len(set(picks)) > 2_000


def test_a_read_after_an_answered_edit_showing_an_older_dek_is_stale():
    saved = [(5, 1, 10.0), (5, 4, 30.0), (8, 2, 12.0)]  # (index, counter, answered)
    reads = [  # (index, started, counter shown, status, hit, seconds)
        (5, 9.0, -1, 200, True, 0.001),
        (5, 11.0, 1, 200, True, 0.001),
        (5, 31.0, 1, 200, True, 0.001),  # stale: edit 4 was answered at 30
        (8, 13.0, -1, 200, False, 0.05),  # stale
        (8, 13.0, -1, 503, False, 0.05),  # an error, counted elsewhere
        (9, 40.0, -1, 200, True, 0.001),
    ]

    assert stale_reads(reads, saved) == [(reads[2], 4), (reads[3], 2)]


def test_the_counter_is_read_from_the_explainer_dek_not_a_related_card():
    page = (
        '<p class="explainer__dek">Mix edit 12.</p>'
        '<p class="card__dek">Mix edit 40.</p>'
    )
    assert DEK.search(page)[1] == "12"
    assert DEK.search('<p class="card__dek">Mix edit 40.</p>') is None
