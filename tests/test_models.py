"""Every registry model: right output size, finite, every parameter gets a gradient."""

import numpy as np
import pytest
import torch

from xeonsr.imaging import imresize
from xeonsr.models import MODELS, UnknownModelError, create_model
from xeonsr.models.bicubic import BicubicUpsample
from xeonsr.models.fsrcnn import FSRCNN, DeployFSRCNN, deconv_as_conv


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_registry_model_forward_backward(name, scale):
    torch.manual_seed(0)
    model = create_model(name, scale)
    x = torch.rand(2, 1, 11, 13)
    y = model(x)
    assert y.shape == (2, 1, 11 * scale, 13 * scale)
    assert torch.isfinite(y).all()
    y.square().mean().backward()
    for pname, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, pname


def test_unknown_model_lists_known_ones():
    with pytest.raises(UnknownModelError, match="choose one of srcnn"):
        create_model("vdsr", 3)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_bicubic_module_equals_matlab_imresize(scale):
    x = np.random.default_rng(scale).random((9, 14)) * 255
    m = BicubicUpsample(scale).double()
    m.weight = m.weight.double()
    got = m(torch.from_numpy(x)[None, None])[0, 0].numpy()
    np.testing.assert_allclose(got, imresize(x, scale), atol=1e-4)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_deconv_rewrite_is_exact(scale):
    torch.manual_seed(scale)
    net = FSRCNN(scale=scale)
    torch.nn.init.normal_(net.deconv.weight, std=0.05)
    x = torch.randn(1, 56, 10, 7)
    ref = net.deconv(x)
    got = torch.nn.functional.pixel_shuffle(deconv_as_conv(net.deconv, scale)(x), scale)
    assert got.shape == ref.shape
    assert (got - ref).abs().max() < 1e-5


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("residual", [False, True])
def test_deploy_fsrcnn_is_the_same_function(scale, residual):
    torch.manual_seed(10 + scale)
    net = FSRCNN(scale=scale, residual=residual).eval()
    torch.nn.init.normal_(net.deconv.weight, std=0.05)
    torch.nn.init.normal_(net.deconv.bias, std=0.1)
    fast = DeployFSRCNN(net).eval()
    # x2: 4 phases all as a column pair; x3: 8 in the convolution + the ninth as a column
    # pair; x4: one convolution to 16.
    head = None if fast.head is None else fast.head.out_channels
    cols = None if fast.head_columns is None else fast.head_columns.combine.out_channels
    assert (head, cols) == {2: (None, 4), 3: (None, 9), 4: (16, None)}[scale]
    x = torch.rand(2, 1, 13, 9)
    with torch.no_grad():
        assert (fast(x) - net.paper_forward(x)).abs().max() < 1e-5


@pytest.mark.parametrize("n", [1, 4])
def test_column_pair_is_the_convolution(n):
    from xeonsr.models.srcnn import ColumnPair

    torch.manual_seed(n)
    conv = torch.nn.Conv2d(6, n, 5, padding=2)
    pair = ColumnPair(conv.weight.detach(), conv.bias.detach())
    assert pair.columns.out_channels == 5 * n
    x = torch.rand(2, 6, 9, 12)
    with torch.no_grad():
        assert (pair(x) - conv(x)).abs().max() < 1e-5


def test_deploy_fsrcnn_pads_phases_it_does_not_split():
    # x3 with 4-channel groups: 9 = 2 * 4 + 1 splits; with 6-channel groups 9 pads to 12
    # (the branch no shipped scale takes with AVX2's 8).
    torch.manual_seed(3)
    net = FSRCNN(scale=3, d=8, s=4, m=1).eval()
    torch.nn.init.normal_(net.deconv.weight, std=0.05)
    x = torch.rand(1, 1, 11, 7)
    for multiple, outs in ((4, 8), (6, 12)):
        fast = DeployFSRCNN(net, channel_multiple=multiple).eval()
        assert fast.head.out_channels == outs
        with torch.no_grad():
            assert (fast(x) - net.paper_forward(x)).abs().max() < 1e-5


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("residual", [False, True])
def test_fsrcnn_trains_through_the_rewrite_with_the_papers_gradients(scale, residual):
    # forward() runs the deconvolution as conv + shuffle (faster to train); outputs and the
    # gradients of every parameter, the deconvolution's included, must be the paper layer's.
    torch.manual_seed(30 + scale)
    net = FSRCNN(scale=scale, residual=residual, d=16, s=6, m=2)
    torch.nn.init.normal_(net.deconv.weight, std=0.05)
    torch.nn.init.normal_(net.deconv.bias, std=0.1)
    x = torch.rand(3, 1, 12, 10)
    gt = torch.rand(3, 1, 12 * scale, 10 * scale)
    grads = []
    for fwd in (net, net.paper_forward):
        net.zero_grad()
        out = fwd(x)
        torch.nn.functional.l1_loss(out, gt).backward()
        grads.append((out.detach(), {k: p.grad.clone() for k, p in net.named_parameters()}))
    (out_a, ga), (out_b, gb) = grads
    assert out_a.shape == (3, 1, 12 * scale, 10 * scale)
    assert (out_a - out_b).abs().max() < 1e-5
    assert set(ga) == set(gb) and "deconv.weight" in ga
    for k in ga:
        assert torch.allclose(ga[k], gb[k], atol=1e-6, rtol=1e-4), k
    assert ga["deconv.weight"].abs().sum() > 0


@pytest.mark.parametrize("scale", [2, 4])
@pytest.mark.parametrize("f2,residual", [(1, True), (5, False)])
def test_deploy_srcnn_is_the_same_function(scale, f2, residual):
    from xeonsr.models.srcnn import SRCNN, DeploySRCNN

    torch.manual_seed(20 + scale)
    net = SRCNN(scale=scale, f2=f2, residual=residual).eval()
    torch.nn.init.normal_(net.conv3.weight, std=0.05)
    torch.nn.init.normal_(net.conv3.bias, std=0.1)
    fast = DeploySRCNN(net).eval()
    x = torch.rand(2, 1, 11, 8)
    with torch.no_grad():
        assert (fast(x) - net(x)).abs().max() < 1e-5


@pytest.mark.parametrize("f2,residual", [(1, True), (5, False)])
def test_srcnn_trains_through_the_column_form_with_plain_gradients(f2, residual):
    from xeonsr.models.srcnn import SRCNN

    torch.manual_seed(40 + f2)
    net = SRCNN(scale=3, f2=f2, n1=8, n2=6, residual=residual)
    torch.nn.init.normal_(net.conv3.weight, std=0.05)
    torch.nn.init.normal_(net.conv3.bias, std=0.1)
    x = torch.rand(2, 1, 9, 7)
    gt = torch.rand(2, 1, 27, 21)
    grads = []
    for fwd in (net, net.paper_forward):
        net.zero_grad()
        out = fwd(x)
        torch.nn.functional.mse_loss(out, gt).backward()
        grads.append((out.detach(), {k: p.grad.clone() for k, p in net.named_parameters() if p.grad is not None}))
    (out_a, ga), (out_b, gb) = grads
    assert (out_a - out_b).abs().max() < 1e-5
    assert set(ga) == set(gb) and "conv3.weight" in ga
    for k in ga:
        assert torch.allclose(ga[k], gb[k], atol=1e-6, rtol=1e-4), k


def test_fsrcnn_trains_after_an_evaluation_under_inference_mode():
    # The deconvolution's phase-tap index is cached; made first under inference_mode (an eval,
    # then training in the same process) it must still serve a backward pass.
    import torch

    from xeonsr.models.fsrcnn import FSRCNN, _phase_taps

    _phase_taps.cache_clear()
    net = FSRCNN(scale=3, d=8, s=4, m=1)
    with torch.inference_mode():
        net(torch.rand(1, 1, 12, 12))
    loss = net(torch.rand(1, 1, 12, 12)).mean()
    loss.backward()
    assert net.deconv.weight.grad is not None
