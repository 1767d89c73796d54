"""PyTorch eager reference for `bench`'s SAM figures (not needed to build or test Minima).

Run with Debian's python3-torch:  /usr/bin/python3 demos/src/test/python/sam_compare.py
Times, in one process: a 1-SAM step (two forward-backward passes, perturb, restore, as in davda54's SAM) on
the xor network of Wen, Ma & Li (2023) (d = 30, width 500, first-layer bias, batch 1, MSE, one thread), and
SGD / SAM steps on a 784-512-512-10 ReLU MLP with batch 128 and softmax cross-entropy.
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


def sgd_step(model, loss_fn, opt, x, y):
    loss_fn(model(x), y).backward()
    opt.step()
    opt.zero_grad()


def median_us(fn, steps, rounds=15, warmup=3):
    times = []
    for r in range(warmup + rounds):
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        if r >= warmup:
            times.append((time.perf_counter() - t0) / steps * 1e6)
    times.sort()
    return times[len(times) // 2]


def main():
    torch.manual_seed(0)
    print("torch", torch.__version__)
    print([line for line in torch.__config__.show().splitlines() if "BLAS" in line or "LAPACK" in line])
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

    print("one_sam_step_us", round(median_us(one, 200), 1))
    torch.set_num_threads(threads)
    mlp = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                              torch.nn.ReLU(), torch.nn.Linear(512, 10))
    opt = torch.optim.SGD(mlp.parameters(), lr=0.01)
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))
    ce = torch.nn.functional.cross_entropy
    sgd = median_us(lambda: sgd_step(mlp, ce, opt, x, y), 3)
    sam = median_us(lambda: sam_step(mlp, ce, opt, x, y, 0.05), 3)
    print("sgd_step_ms", round(sgd / 1e3, 3), "sam_step_ms", round(sam / 1e3, 3), "sam_over_sgd", round(sam / sgd, 3),
          "torch_threads", threads)


if __name__ == "__main__":
    main()
