"""Every notebook keeps its networks, batches and noise on ``runtime.device()``.

This machine has no GPU, so the test gives the notebooks a stand-in device. ``GAN_COURSE_DEVICE=meta``
makes ``runtime.device()`` return ``meta``, and a torch function mode (``TRACKER`` below, run in the
kernel before the notebook) sees every torch call:

- a tensor created with ``device=meta``, or moved with ``.to(meta)`` (``Module.to`` moves each
  parameter and buffer this way), is computed on the CPU but tagged as being "on the device";
- whatever a torch function computes from a tagged tensor is tagged too, and so are the gradients
  of tagged tensors; ``.cpu()`` and ``.to("cpu")`` give untagged tensors, and ``x.device`` of a
  tagged tensor reads ``meta``, so ``device=x.device`` and ``runtime.device_of(G)`` work as on a GPU;
- as on a GPU, an operation that mixes a tagged tensor with an untagged one (other than a 0-d
  tensor, which CUDA accepts from the CPU) raises ``DeviceLeftBehind``, and so does ``.numpy()`` of
  a tagged tensor;
- while ``train.fit`` runs, a gradient (``backward`` or ``torch.autograd.grad``) taken of untagged
  tensors only raises ``DeviceLeftBehind`` too: a notebook that moves nothing mixes nothing, but
  its training runs on the CPU. ``CPU_BY_DESIGN`` lists the notebooks that say they train there.

So a notebook that forgets ``.to(DEVICE)`` on a network, or ``device=`` on a batch or on noise,
or that never uses the device at all, fails here where it would fail, or crawl, on Colab's GPU.
Real ``meta`` tensors never occur: torch itself does not raise for every mix of meta and CPU
tensors (a convolution accepts both), which is why the tags, and not the meta device, do the
checking. The first tests show on small snippets that the
tracker catches the mistakes and lets correct code through; the last runs every source notebook in
smoke mode under it.
"""
import os

import pytest

from tools import course

TRACKER = r'''
import torch
from torch import nn
from torch.overrides import TorchFunctionMode


class DeviceLeftBehind(RuntimeError):
    """A tensor on the device met one that was left on the CPU (what CUDA refuses)."""


_TAG = "_gan_course_on_device"
_FAKE = torch.device("meta")
_CPU = torch.device("cpu")
# these copy across devices on a GPU too, or only compare types (Module.to asks it of old and new parameters)
_LENIENT = {torch.Tensor.copy_, torch.Tensor.__setitem__, torch._has_compatible_shallow_copy_type}


def _on(t):
    return isinstance(t, torch.Tensor) and t.__dict__.get(_TAG, False)


def _tag(out):
    if isinstance(out, torch.Tensor):
        out.__dict__[_TAG] = True
    elif isinstance(out, (list, tuple)):
        for o in out:
            _tag(o)
    return out


def _tensors(obj, found):
    if isinstance(obj, torch.Tensor):
        found.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _tensors(o, found)
    elif isinstance(obj, dict):
        for o in obj.values():
            _tensors(o, found)
    return found


def _is_fake(d):
    return (isinstance(d, torch.device) and d.type == "meta") or (isinstance(d, str) and d.startswith("meta"))


def _is_cpu(d):
    return (isinstance(d, torch.device) and d.type == "cpu") or (isinstance(d, str) and d.startswith("cpu"))


def _name(func):
    owner = getattr(func, "__self__", None)
    if getattr(func, "__name__", "") in ("__get__", "__set__"):  # a property such as x.device or x.data
        return getattr(owner, "__name__", None)
    return getattr(func, "__name__", str(func))


class Tracker(TorchFunctionMode):
    """Tags tensors on the stand-in device; raises DeviceLeftBehind where a GPU would refuse a mix."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        name = _name(func)
        to_device = to_host = False
        if "device" in kwargs:
            to_device, to_host = _is_fake(kwargs["device"]), _is_cpu(kwargs["device"])
            if to_device:
                kwargs["device"] = _CPU
        if func is torch.Tensor.to and len(args) > 1 and isinstance(args[1], (str, torch.device)):
            to_device, to_host = _is_fake(args[1]), _is_cpu(args[1])
            if to_device:
                args = (args[0], _CPU, *args[2:])
        if func is torch.Tensor.cpu:
            to_host = True
        if name == "data" and getattr(func, "__name__", "") == "__set__":  # p.data = x, as Module.to does
            args[0].__dict__[_TAG] = _on(args[1])
            return func(*args, **kwargs)
        tensors = _tensors(args, _tensors(kwargs, []))
        tagged = [t for t in tensors if _on(t)]
        if _TRAINING[0] and func in (torch.Tensor.backward, torch.autograd.grad) and not tagged:
            raise DeviceLeftBehind(f"{name}: a training step of train.fit runs on the CPU "
                                   "(the networks, the batches and the noise belong on DEVICE)")
        if name == "device" and tagged:  # the getter x.device of a tensor on the device
            return _FAKE
        if func in (torch.Tensor.numpy, torch.Tensor.__array__) and tagged:
            raise DeviceLeftBehind(f"{name}() of a tensor on the device: call .cpu() first")
        if tagged and not (to_device or to_host) and func not in _LENIENT:
            left = [t for t in tensors if not _on(t) and t.dim() > 0]
            if func is torch.Tensor.__getitem__ and _on(args[0]):
                left = []  # a CPU index into a GPU tensor is fine
            if left:
                raise DeviceLeftBehind(
                    f"{name}: a tensor on the device meets a CPU tensor of shape {tuple(left[0].shape)} "
                    f"(forgotten .to(DEVICE) or device=DEVICE?); shapes on the device: "
                    f"{[tuple(t.shape) for t in tagged][:4]}")
        out = func(*args, **kwargs)
        if func in _LENIENT or (args and out is args[0] and not (to_device or to_host)):
            return out  # in place: the tensor stays where it was (copy_ into a CPU tensor stays on the CPU)
        if args and out is args[0] and (to_host or not _on(out)):
            # x.cpu() and x.to(meta) (computed as x.to(cpu)) return x itself: as on a GPU, the moved
            # tensor is a new one, and x stays where it was
            out = out.view_as(out)
        if to_device or (tagged and not to_host):
            _tag(out)
        return out


_new_parameter = nn.Parameter.__new__


def _parameter(cls, data=None, requires_grad=True):
    # copy.deepcopy(G) builds each new Parameter from data the tracker has tagged
    p = _new_parameter(cls, data, requires_grad)
    if _on(data):
        _tag(p)
    return p


nn.Parameter.__new__ = staticmethod(_parameter)

from course_lib import train as _train  # noqa: E402

_fit = _train.fit
_TRAINING = [False]  # True while train.fit runs: every gradient it takes must be on the device


def _fit_on_device(*args, **kwargs):
    _TRAINING[0] = True
    try:
        return _fit(*args, **kwargs)
    finally:
        _TRAINING[0] = False


_train.fit = _fit_on_device
TRACKER = Tracker()
TRACKER.__enter__()
'''


def tracked(code):
    """Run code under the tracker in a fresh namespace (in this process) and return the namespace."""
    from torch import nn

    from course_lib import train

    namespace = {}
    new_parameter, fit = nn.Parameter.__dict__["__new__"], train.fit  # the staticmethod itself
    try:
        exec(TRACKER, namespace)
        try:
            exec(code, namespace)
        finally:
            namespace["TRACKER"].__exit__(None, None, None)
    finally:
        nn.Parameter.__new__, train.fit = new_parameter, fit
    return namespace


SETUP = """
import copy
import torch
from torch import nn
from course_lib import data, models, runtime
DEVICE = runtime.device()
torch.manual_seed(0)
"""
# a training step as the notebooks write it; each mistake below breaks one line
CORRECT = SETUP + """
G = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.Unflatten(1, (1, 2, 2))).to(DEVICE)  # (B, 1, 2, 2)
D = nn.Sequential(nn.Flatten(), nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1)).to(DEVICE)
G_ema = copy.deepcopy(G)
opt = torch.optim.Adam([*G.parameters(), *D.parameters()], lr=1e-3)
for real in data.batches(torch.randn(64, 1, 2, 2), batch_size=16, device=DEVICE):
    fake = G(torch.randn(16, 4, device=DEVICE))
    eps = torch.rand(16, 1, 1, 1, device=real.device)
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    loss = D(fake).mean() - D(real).mean() + 10 * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    models.ema_update(G_ema, G, 0.9)
    value = loss.item()
    break
images = models.generate(G_ema, torch.randn(8, 4))  # generate moves the codes and returns CPU images
picture = images.numpy()
"""
MISTAKES = {
    "a network left on the CPU": ("nn.Linear(8, 1)).to(DEVICE)", "nn.Linear(8, 1))"),
    "batches left on the CPU": ("batch_size=16, device=DEVICE)", "batch_size=16)"),
    "noise left on the CPU": ("G(torch.randn(16, 4, device=DEVICE))", "G(torch.randn(16, 4))"),
    "the interpolation weights left on the CPU": ("torch.rand(16, 1, 1, 1, device=real.device)",
                                                  "torch.rand(16, 1, 1, 1)"),
    "an EMA network built anew, not moved": (
        "G_ema = copy.deepcopy(G)",
        "G_ema = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.Unflatten(1, (1, 2, 2)))\n"
        "G_ema.load_state_dict(G.state_dict())"),
    "a network moved back to the CPU": ("    break", "    D.cpu()\n    D(real)"),
    "numpy() of a tensor on the device": ("picture = images.numpy()", "picture = fake.detach().numpy()"),
}


# a training run through train.fit, as the notebooks write it
FIT = SETUP + """
from course_lib import train
net = nn.Linear(2, 1).to(DEVICE)
opt = torch.optim.SGD(net.parameters(), lr=0.1)

def step(x):
    loss = net(x).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return {"loss": loss}

history = train.fit(step, data.batches(torch.randn(32, 2), batch_size=8, device=DEVICE), 3, progress=False)
"""


@pytest.fixture
def fake_device(monkeypatch):
    monkeypatch.setenv("GAN_COURSE_DEVICE", "meta")


def test_runtime_device_can_be_chosen(monkeypatch):
    from course_lib import runtime

    monkeypatch.setenv("GAN_COURSE_DEVICE", "cpu")
    assert runtime.device().type == "cpu"
    monkeypatch.setenv("GAN_COURSE_DEVICE", "meta")
    assert runtime.device().type == "meta"
    monkeypatch.delenv("GAN_COURSE_DEVICE")
    assert runtime.device().type in ("cuda", "mps", "cpu")


def test_a_step_with_everything_on_the_device_passes(fake_device):
    namespace = tracked(CORRECT)
    assert namespace["_on"](next(namespace["G_ema"].parameters()))
    assert namespace["_on"](next(namespace["G"].parameters()).grad)
    assert next(namespace["D"].parameters()).device.type == "cpu"  # computed on the CPU, untracked here
    assert namespace["picture"].shape == (8, 1, 2, 2)


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_tensor_left_behind_is_caught(fake_device, mistake):
    old, new = MISTAKES[mistake]
    assert CORRECT.count(old) == 1
    with pytest.raises(RuntimeError) as caught:
        tracked(CORRECT.replace(old, new))
    assert type(caught.value).__name__ == "DeviceLeftBehind", caught.value


def test_training_with_everything_left_on_the_cpu_is_caught(fake_device):
    assert len(tracked(FIT)["history"]) == 3
    on_cpu = FIT.replace(".to(DEVICE)", "").replace(", device=DEVICE", "")
    assert "DEVICE)" not in on_cpu
    with pytest.raises(RuntimeError) as caught:
        tracked(on_cpu)
    assert type(caught.value).__name__ == "DeviceLeftBehind" and "runs on the CPU" in str(caught.value)


def test_what_a_gpu_accepts_passes(fake_device):
    tracked(SETUP + """
x = torch.randn(5, 3, device=DEVICE)
y = x * torch.tensor(2.0) + x[torch.tensor([0, 2])].sum()
assert y.device == DEVICE
host = torch.randn(5, 3)
moved = host.to(DEVICE)  # a moved copy: host itself stays on the CPU
host + torch.ones(5, 3)
assert moved.device == DEVICE and moved.cpu().device.type == "cpu" and host.device.type == "cpu"
net = nn.Linear(3, 2).to(DEVICE, memory_format=torch.channels_last).cpu()  # back on the CPU
net(host)
""")


# notebooks whose own text says they train on the CPU: only the mixing of devices is checked there
CPU_BY_DESIGN = {
    "01_toy_gan": "its networks are tiny, and its first cell says that everything runs on the CPU",
    "09_adversarial_attacks": "its DEVICE is the CPU outside full mode, so in smoke mode it trains there",
}


def run_notebook(path, cpu_training=False, edit=None):
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    if edit:
        old, new = edit
        (cell,) = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        cell.source = cell.source.replace(old, new)
    nb.cells.insert(0, nbformat.v4.new_code_cell(TRACKER + ("\n_train.fit = _fit\n" if cpu_training else "")))
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": os.path.dirname(path)}})
    client.execute()


@pytest.mark.slow
@pytest.mark.parametrize("name", course.assignments())
def test_the_notebook_keeps_its_tensors_on_the_device(fake_device, name):
    import nbclient

    assert os.environ["GAN_COURSE_MODE"] == "smoke"
    try:
        run_notebook(course.source(name), cpu_training=name in CPU_BY_DESIGN)
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{name} under the device tracker: {str(error)[-3000:]}")


@pytest.mark.slow
def test_a_notebook_that_leaves_its_noise_on_the_cpu_fails(fake_device):
    import nbclient

    with pytest.raises(nbclient.exceptions.CellExecutionError, match="DeviceLeftBehind"):
        run_notebook(course.source("07_progan"), edit=("G(torch.randn(B, Z_DIM, device=DEVICE), stage, alpha)",
                                                       "G(torch.randn(B, Z_DIM), stage, alpha)"))
