"""The forward-hook helper: a layer's inputs captured over a DataLoader give the report of the same features
computed directly (the model's first layers applied by hand)."""

import pytest

from verify.metrics import CollapseHistory, collapse_report

torch = pytest.importorskip("torch")

#: Same float32 features, float64 statistics folded in other batch orders: ~1e-15.
HOOKED = 1e-12


def _model_and_loader():
    torch.manual_seed(0)
    body = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU())
    fc = torch.nn.Linear(8, 3)
    model = torch.nn.Sequential(body, fc)
    X = torch.randn(90, 5)
    y = torch.arange(90) % 3
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=16)
    return model, body, fc, X, y, loader


def test_measure_equals_the_report_of_the_features_computed_directly():
    from verify.metrics.torch_hooks import measure

    model, body, fc, X, y, loader = _model_and_loader()
    model.train()
    report = measure(model, fc, loader)
    assert model.training  # restored
    with torch.no_grad():
        H, logits = body(X).numpy(), model(X).numpy()
    W, b = fc.weight.detach().numpy(), fc.bias.detach().numpy()
    direct = collapse_report(H, y.numpy(), W, b, logits=logits)
    for key in ("nc1", "cdnv", "etf_distance_means", "self_duality", "nc4_agreement", "nc4_agreement_logits"):
        assert report[key] == pytest.approx(direct[key], rel=HOOKED), key
    assert report["accuracy"] == direct["accuracy"]
    hist = CollapseHistory().record(0, report)
    assert "nc1" in hist.to_json()


def test_a_layer_the_model_never_calls_is_refused_by_name():
    from verify.base.errors import InputError
    from verify.metrics.torch_hooks import accumulate

    model, _, _, _, _, loader = _model_and_loader()
    with pytest.raises(InputError, match="layer"):
        accumulate(model, torch.nn.Linear(8, 3), loader)
