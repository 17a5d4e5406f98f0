"""penalised.thm1 under the user's own pytest: the nc-verify plugin's fixture and the claim's strategy."""

from hypothesis import given, settings
from penalised_thm1.claim import CLAIM

from verify.authoring.testing import strategy


def test_claim_verifies_at_pinned_and_drawn_points(nc_check):
    nc_check(CLAIM, examples=2)


def test_claim_is_found_by_id(nc_check):
    nc_check("penalised.thm1", examples=0)


@settings(max_examples=20)
@given(strategy("penalised.thm1"))
def test_drawn_points_are_inside_the_hypotheses(values):
    values = CLAIM.parse(values)
    assert values["lambda_H"] * values["lambda_W"] < 1 and values["p"] >= values["K"] - 1
    scale = CLAIM.evaluate(values)["scale"]
    assert scale > 0
