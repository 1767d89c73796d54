"""PyTorch eager reference for `bench`'s SAM figures (not needed to build or test Minima).

Run with Debian's python3-torch:  /usr/bin/python3 demos/src/test/python/sam_compare.py
Times, in one process:
- `one_sam_step_us`: a 1-SAM step (two forward-backward passes, perturb, restore, as in davda54's SAM) on the xor
  network of Wen, Ma & Li (2023) (d = 30, width 500, first-layer bias, batch 1, MSE, SGD lr 0.01, rho 0.05, one
  thread), one Python call per step, autograd;
- `one_sam_epoch_eager_us`: the same 1-SAM steps as one Python loop over a shuffled epoch of 100 examples, with the
  gradients written out (no autograd), per step;
- `one_sam_epoch_jit_us`: that loop compiled with torch.jit.script, one call per epoch (what Minima's
  SamStep.steps does inside libtorch), per step;
- SGD / SAM steps on a 784-512-512-10 ReLU MLP with batch 128 and softmax cross-entropy.
"""
import time
import torch


def sam_step(model, loss_fn, opt, x, y, rho):
    loss_fn(model(x), y).backward()
    with torch.no_grad():
        params = [p for p in model.parameters() if p.grad is not None]
        norm = torch.norm(torch.stack([p.grad.norm(2) for p in params]), 2)
        eps = []
        for p in params:
            e = p.grad * (rho / (norm + 1e-12))
            p.add_(e)
            eps.append(e)
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    with torch.no_grad():
        for p, e in zip(params, eps):
            p.sub_(e)
    opt.step()
    opt.zero_grad()


def sam_epoch(w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor, x: torch.Tensor, y: torch.Tensor,
              order: torch.Tensor, lr: float, rho: float):
    """1-SAM with SGD over the examples in `order`, batch 1, loss (f - y)^2, gradients written out."""
    for t in range(order.size(0)):
        i = int(order[t])
        xb = x[i:i + 1]
        yb = y[i:i + 1]
        z = torch.nn.functional.linear(xb, w1, b1)
        a = torch.relu(z)
        e = (torch.nn.functional.linear(a, w2) - yb) * 2.0
        gw2 = e.t().mm(a)
        d = torch.ops.aten.threshold_backward(e.mm(w2), z, 0.0)
        gw1 = d.t().mm(xb)
        gb1 = d.sum(0)
        norm = float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(gw1),
                                                           torch.linalg.vector_norm(gb1),
                                                           torch.linalg.vector_norm(gw2)])))
        s = rho / norm
        pw1 = w1.add(gw1, alpha=s)
        pb1 = b1.add(gb1, alpha=s)
        pw2 = w2.add(gw2, alpha=s)
        z = torch.nn.functional.linear(xb, pw1, pb1)
        a = torch.relu(z)
        e = (torch.nn.functional.linear(a, pw2) - yb) * 2.0
        gw2 = e.t().mm(a)
        d = torch.ops.aten.threshold_backward(e.mm(pw2), z, 0.0)
        gw1 = d.t().mm(xb)
        gb1 = d.sum(0)
        w1.sub_(gw1.mul_(lr))
        b1.sub_(gb1.mul_(lr))
        w2.sub_(gw2.mul_(lr))


def sgd_step(model, loss_fn, opt, x, y):
    loss_fn(model(x), y).backward()
    opt.step()
    opt.zero_grad()


def median_us(fn, steps, rounds=15, warmup=3):
    """Median over rounds of (wall-clock, thread CPU) microseconds per step; the CPU figure leaves out the waiting
    that a loaded machine adds (with one torch thread all the work runs on the calling thread)."""
    wall = []
    cpu = []
    for r in range(warmup + rounds):
        t0 = time.perf_counter()
        c0 = time.thread_time()
        for _ in range(steps):
            fn()
        if r >= warmup:
            wall.append((time.perf_counter() - t0) / steps * 1e6)
            cpu.append((time.thread_time() - c0) / steps * 1e6)
    wall.sort()
    cpu.sort()
    return wall[len(wall) // 2], cpu[len(cpu) // 2]


def blas_library():
    with open("/proc/self/maps") as maps:
        names = {line.split()[-1] for line in maps if "blas" in line.lower()}
    return sorted(names)


def main():
    torch.manual_seed(0)
    print("torch", torch.__version__)
    torch.mm(torch.randn(8, 8), torch.randn(8, 8))
    print("blas", blas_library())
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    xor = torch.nn.Sequential(torch.nn.Linear(30, 500), torch.nn.ReLU(), torch.nn.Linear(500, 1, bias=False))
    opt = torch.optim.SGD(xor.parameters(), lr=0.01)
    xs = torch.randn(100, 30)
    ys = torch.randn(100, 1)
    k = [0]

    def one():
        i = k[0] % 100
        k[0] += 1
        sam_step(xor, torch.nn.functional.mse_loss, opt, xs[i:i + 1], ys[i:i + 1], 0.05)

    wall, cpu = median_us(one, 200)
    print("one_sam_step_us", round(wall, 1), "one_sam_step_cpu_us", round(cpu, 1))
    with torch.no_grad():
        w1 = xor[0].weight.detach().clone()
        b1 = xor[0].bias.detach().clone()
        w2 = xor[2].weight.detach().clone()
    order = torch.randperm(100)
    wall, cpu = median_us(lambda: sam_epoch(w1, b1, w2, xs, ys, order, 0.01, 0.05), 1)
    print("one_sam_epoch_eager_us", round(wall / 100, 1), "one_sam_epoch_eager_cpu_us", round(cpu / 100, 1))
    scripted = torch.jit.script(sam_epoch)
    wall, cpu = median_us(lambda: scripted(w1, b1, w2, xs, ys, order, 0.01, 0.05), 1, warmup=5)
    print("one_sam_epoch_jit_us", round(wall / 100, 1), "one_sam_epoch_jit_cpu_us", round(cpu / 100, 1))
    torch.set_num_threads(threads)
    mlp = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                              torch.nn.ReLU(), torch.nn.Linear(512, 10))
    opt = torch.optim.SGD(mlp.parameters(), lr=0.01)
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))
    ce = torch.nn.functional.cross_entropy
    sgd = median_us(lambda: sgd_step(mlp, ce, opt, x, y), 3)[0]
    sam = median_us(lambda: sam_step(mlp, ce, opt, x, y, 0.05), 3)[0]
    print("sgd_step_ms", round(sgd / 1e3, 3), "sam_step_ms", round(sam / 1e3, 3), "sam_over_sgd", round(sam / sgd, 3),
          "torch_threads", threads)


if __name__ == "__main__":
    main()
