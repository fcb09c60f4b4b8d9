#!/usr/bin/env python3
"""Checks and times the fused CUDA loss kernels (engine-core/src/main/cuda) on a GPU.

Usage: verify_kernels.py FATBIN OUT_DIR

For each kernel family (softmax cross-entropy as InfoNCE and CPC; AMDIM's directed NCE) it
  1. checks loss and both feature gradients against float64 PyTorch autograd on fresh random inputs,
     relative error ||x - ref|| / ||ref|| < 1e-4, over shapes that are not multiples of the 64-wide tile,
     B = 1 / L = 1 edge cases, scores large enough to reach the tanh clip, saturated cases where every
     positive dominates its row (1 - softmax at the positive ~ 1e-12 or less, where autograd's
     softmax - 1 cancels even in float64: the references take minus the other columns' share instead,
     see cross_entropy_exact), AMDIM shards (the source rows of images [first, first + n) against
     every target image, as a data-parallel replica runs them), and both one split (no atomics) and
     the automatic split count; buffers
     the kernels WRITE are poisoned with NaN first, buffers they ADD to start from random values that
     are subtracted afterwards (the loss's error is taken relative to max(|ref|, 1), since InfoNCE at
     B = 1 has loss 0);
  2. times forward + backward (CUDA events, median of >= 20 runs after warm-up) against PyTorch eager
     autograd of the same loss and torch.compile of it (a failure or OOM there is recorded, not fatal);
  3. records peak device memory of InfoNCE at B = 65536, D = 128.
Writes OUT_DIR/kernels.json and OUT_DIR/kernels.md. Exit status 1 if any check failed.

The host logic here (split count, buffer sizes, argument order) mirrors the Java binding
dev.contrastive.core.kernel.cuda.CudaLossKernels; the launch contract is contrastive_kernels.cuh.
"""

import json
import math
import statistics
import sys
import time
import traceback
from pathlib import Path

CUDA_DIR = Path(__file__).resolve().parents[2] / "engine-core" / "src" / "main" / "cuda"
TILE = 64
THREADS = 256
CE_PARTIAL_FIELDS = 4
CE_STAT_FIELDS = 5
AMDIM_PARTIAL_FIELDS = 5
AMDIM_STAT_FIELDS = 7
TOLERANCE = 1e-4
TIMED_RUNS = 20
WARMUP_RUNS = 3
# The whole script must finish in 6 minutes: torch.compile (tens of seconds per shape) is skipped once
# this much wall time has gone.
COMPILE_BUDGET_S = 150.0


def ceil_div(a, b):
    return -(-a // b)


def choose_splits(rows, other, sms, forced=None):
    """Splits of the other side's tiles: enough blocks for about four per multiprocessor."""
    tiles = ceil_div(other, TILE)
    if forced is not None:
        return max(1, min(forced, tiles))
    return max(1, min(tiles, ceil_div(4 * sms, ceil_div(rows, TILE))))


def relative_error(x, ref):
    import torch

    x = x.double()
    ref = ref.double()
    if not torch.isfinite(x).all():
        return float("nan")
    denominator = ref.norm().item()
    difference = (x - ref).norm().item()
    if denominator == 0.0:
        return difference
    return difference / denominator


def loss_error(loss, ref):
    """|x - ref| / max(|ref|, 1): a loss of 0 (InfoNCE at B = 1) has no relative precision."""
    return abs(loss.item() - ref.item()) / max(abs(ref.item()), 1.0)


class Kernels:
    """The fatbin's entry points, launched on PyTorch's current stream with raw device pointers."""

    def __init__(self, fatbin):
        import cupy
        import torch

        self.cupy = cupy
        self.torch = torch
        try:
            self.module = cupy.RawModule(path=str(fatbin))
            self.module.get_function("ce_forward")
            self.source = "fatbin"
        except Exception as e:  # the same source and flags through CuPy's nvcc backend instead
            print(f"loading {fatbin} failed ({e!r}); compiling the source with nvcc", flush=True)
            self.module = cupy.RawModule(code=(CUDA_DIR / "contrastive_kernels.cu").read_text(),
                                         backend="nvcc", options=("-O3", "-std=c++17", f"-I{CUDA_DIR}"))
            self.source = f"nvcc from source (fatbin failed: {e!r})"
        names = [
            "ce_forward", "ce_finish", "ce_backward_dq", "ce_backward_dk",
            "amdim_forward", "amdim_finish", "amdim_backward_dsrc", "amdim_backward_dtrg",
        ]
        self.fn = {name: self.module.get_function(name) for name in names}
        self.sms = torch.cuda.get_device_properties(0).multi_processor_count

    def launch(self, name, grid, args):
        import numpy as np

        converted = []
        for a in args:
            if isinstance(a, self.torch.Tensor):
                converted.append(np.uint64(a.data_ptr()))
            elif a is None:
                converted.append(np.uint64(0))  # a null pointer: 8 bytes by value
            elif isinstance(a, float):
                converted.append(np.float32(a))
            elif isinstance(a, int):
                converted.append(np.int32(a))
            else:
                raise TypeError(f"unsupported kernel argument {a!r}")
        stream = self.cupy.cuda.ExternalStream(self.torch.cuda.current_stream().cuda_stream)
        with stream:
            self.fn[name](grid, (THREADS, 1, 1), tuple(converted))

    def softmax_ce(self, q, k, scale, labels, excluded, weights, dq, dk, forced_splits=None,
                   poison=False):
        """SoftmaxCrossEntropyKernel.run on the GPU: dq overwritten, dk added to. Returns row stats."""
        torch = self.torch
        n, d = q.shape
        m = k.shape[0]
        splits_f = choose_splits(n, m, self.sms, forced_splits)
        splits_b = choose_splits(m, n, self.sms, forced_splits)
        fill = float("nan") if poison else 0.0
        partial = torch.full((CE_PARTIAL_FIELDS * splits_f * n,), fill, device=q.device)
        stats = torch.full((CE_STAT_FIELDS, n), fill, device=q.device)
        self.launch("ce_forward", (ceil_div(n, TILE), splits_f, 1),
                    [q, k, n, m, d, float(scale), labels, excluded, partial, stats])
        self.launch("ce_finish", (ceil_div(n, THREADS), 1, 1), [n, splits_f, partial, stats])
        dq.zero_()
        self.launch("ce_backward_dq", (ceil_div(n, TILE), splits_f, 1),
                    [q, k, n, m, d, float(scale), labels, excluded, weights, stats, dq])
        self.launch("ce_backward_dk", (ceil_div(m, TILE), splits_b, 1),
                    [q, k, n, m, d, float(scale), labels, excluded, weights, stats, dk])
        return stats

    def amdim(self, src, trg, locs, scale, tclip, nce_weight, reg_weight, dsrc, dtrg,
              forced_splits=None, poison=False, first=0):
        """MultiPositiveNceKernel.run on the GPU: src (n, d) the sources of images first ...
        first + n - 1, trg all b images' locations; dsrc overwritten, dtrg added to."""
        torch = self.torch
        n, d = src.shape
        cols = trg.shape[0]
        b = cols // locs
        splits_f = choose_splits(n, cols, self.sms, forced_splits)
        splits_b = choose_splits(cols, n, self.sms, forced_splits)
        fill = float("nan") if poison else 0.0
        partial = torch.full((AMDIM_PARTIAL_FIELDS * splits_f * n,), fill, device=src.device)
        positives = torch.full((n * locs,), fill, device=src.device)
        stats = torch.full((AMDIM_STAT_FIELDS, n), fill, device=src.device)
        positive_gradient = torch.full((n * locs,), fill, device=src.device)
        self.launch("amdim_forward", (ceil_div(n, TILE), splits_f, 1),
                    [src, trg, n, first, b, locs, d, float(scale), float(tclip), partial,
                     positives])
        self.launch("amdim_finish", (ceil_div(n, THREADS), 1, 1),
                    [n, locs, splits_f, float(nce_weight), partial, positives, stats,
                     positive_gradient])
        dsrc.zero_()
        common = [src, trg, n, first, b, locs, d, float(scale), float(tclip),
                  float(2.0 * reg_weight), stats, positive_gradient]
        self.launch("amdim_backward_dsrc", (ceil_div(n, TILE), splits_f, 1), common + [dsrc])
        self.launch("amdim_backward_dtrg", (ceil_div(cols, TILE), splits_b, 1), common + [dtrg])
        return stats, positives


# --- the losses, as the Java classes compose them ---------------------------------------------------


def normalize_rows(z):
    return z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)


def cross_entropy_exact(s, positive, excluded=None):
    """Per row, -log softmax(s)[positive] over the columns not excluded, written as
    log(1 + sum_others exp(s_j - s_positive)): autograd then gives minus the other columns' share at
    the positive, where the usual form's softmax - 1 cancels (even in float64) once the positive
    dominates its row. For the checks; the timed PyTorch peers keep the usual form."""
    import torch

    rows = torch.arange(s.shape[0], device=s.device)
    mask = torch.zeros_like(s, dtype=torch.bool)
    mask[rows, positive] = True
    if excluded is not None:
        mask[rows, excluded] = True
    # A row with no other column gives log(1 + 0) = 0; masked_fill's backward zeroes the NaN that
    # logsumexp's backward leaves in such a row.
    others = (s - s[rows, positive][:, None]).masked_fill(mask, float("-inf"))
    return torch.logaddexp(torch.zeros_like(others[:, 0]), torch.logsumexp(others, dim=1))


def infonce_reference(a, b, temperature, normalize, exact=False):
    """InfoNceLoss's definition; any dtype; materialises the 2B x 2B scores. exact: see
    cross_entropy_exact."""
    import torch

    n = 2 * a.shape[0]
    z = torch.cat([a, b])
    if normalize:
        z = normalize_rows(z)
    s = z @ z.T / temperature
    rows = torch.arange(n, device=z.device)
    positive = (rows + n // 2) % n
    if exact:
        return cross_entropy_exact(s, positive, rows).mean()
    s = s.masked_fill(torch.eye(n, dtype=torch.bool, device=z.device), float("-inf"))
    return (torch.logsumexp(s, dim=1) - s[rows, positive]).mean()


def infonce_labels(batch, device):
    import torch

    n = 2 * batch
    rows = torch.arange(n, device=device, dtype=torch.int32)
    labels = ((rows + batch) % n).to(torch.int32)
    weights = torch.full((n,), 1.0 / n, device=device)
    return labels, rows.clone(), weights


def infonce_kernel(kernels, a, b, temperature, normalize, labels=None, forced_splits=None,
                   poison=False):
    """InfoNceLoss on the GPU path: ND4J-style normalisation (here torch) around the kernel.

    Returns the loss (float64, reduced like ScoreStats) and the row statistics; the gradients land in
    a.grad and b.grad.
    """
    import torch

    batch = a.shape[0]
    if labels is None:
        labels = infonce_labels(batch, a.device)
    label, excluded, weights = labels
    z = torch.cat([a, b])
    if normalize:
        z = normalize_rows(z)
    zd = z.detach().contiguous()
    dq = torch.empty_like(zd)
    dk = torch.zeros_like(zd)
    stats = kernels.softmax_ce(zd, zd, 1.0 / temperature, label, excluded, weights, dq, dk,
                               forced_splits, poison)
    z.backward(dq + dk)
    lse, positive = stats[0].double(), stats[1].double()
    return ((lse - positive) * weights.double()).sum(), stats


def amdim_reference(src, trg, locs, scale, tclip, nce_weight, reg_weight, exact=False, first=0):
    """One directed AMDIM comparison as MultiPositiveNceKernel defines it: NCE plus regulariser, of
    the source rows src (images first, first + 1, ...) against all of trg's images.
    exact: each positive's term as log(1 + exp(negative_lse - positive)), whose gradient at the
    positive is minus the negatives' share (see cross_entropy_exact)."""
    import torch

    n = src.shape[0]
    b = trg.shape[0] // locs
    raw = (src @ trg.T) * scale
    reg = reg_weight * (raw * raw).sum()
    c = (tclip * torch.tanh(raw / tclip)).view(n, b, locs)
    rows = torch.arange(n, device=src.device)
    own = rows + first
    positive = c[rows, own]
    mask = torch.zeros(n, b, dtype=torch.bool, device=src.device)
    mask[rows, own] = True
    negatives = c.masked_fill(mask[:, :, None], float("-inf")).reshape(n, b * locs)
    negative_lse = torch.logsumexp(negatives, dim=1, keepdim=True)
    if exact:
        nce = torch.logaddexp(torch.zeros_like(positive), negative_lse - positive)
        return nce_weight * nce.sum() + reg
    lse = torch.logaddexp(positive, negative_lse)
    return nce_weight * (lse - positive).sum() + reg


def amdim_kernel(kernels, src, trg, locs, scale, tclip, nce_weight, reg_weight, forced_splits=None,
                 poison=False, dtrg_start=None, first=0):
    import torch

    dsrc = torch.empty_like(src)
    dtrg = dtrg_start.clone() if dtrg_start is not None else torch.zeros_like(trg)
    stats, positives = kernels.amdim(src, trg, locs, scale, tclip, nce_weight, reg_weight, dsrc,
                                     dtrg, forced_splits, poison, first)
    loss = nce_weight * stats[2].double().sum() + reg_weight * stats[6].double().sum()
    if dtrg_start is not None:
        dtrg = dtrg - dtrg_start
    return loss, dsrc, dtrg, stats


def cpc_queries(prediction, k):
    """Rows (b, r, c) with r < H - k of a (B, D, H, W) map, as CpcLoss builds them."""
    b, d, h, w = prediction.shape
    return prediction.permute(0, 2, 3, 1)[:, : h - k].reshape(-1, d)


def cpc_keys(targets):
    b, d, h, w = targets.shape
    return targets.permute(0, 2, 3, 1).reshape(-1, d)


def cpc_labels(b, h, w, k, device):
    import torch

    used = h - k
    i = torch.arange(b * used * w, device=device)
    image = i // (used * w)
    within = i % (used * w)
    return (image * h * w + k * w + within).to(torch.int32)


def cpc_reference(targets, predictions, offsets, emb_scale, exact=False):
    """exact: see cross_entropy_exact."""
    import torch

    b, d, h, w = targets.shape
    keys = cpc_keys(targets)
    total = 0
    for k, prediction in zip(offsets, predictions):
        q = cpc_queries(prediction, k)
        s = emb_scale * q @ keys.T
        labels = cpc_labels(b, h, w, k, s.device).long()
        if exact:
            total = total + cross_entropy_exact(s, labels).mean()
        else:
            total = total + torch.nn.functional.cross_entropy(s, labels)
    return total


def cpc_kernel(kernels, targets, predictions, offsets, emb_scale, forced_splits=None, poison=False):
    import torch

    b, d, h, w = targets.shape
    keys = cpc_keys(targets)
    kd = keys.detach().contiguous()
    dk = torch.zeros_like(kd)
    total = torch.zeros((), dtype=torch.float64, device=targets.device)
    for k, prediction in zip(offsets, predictions):
        q = cpc_queries(prediction, k)
        qd = q.detach().contiguous()
        n = qd.shape[0]
        labels = cpc_labels(b, h, w, k, qd.device)
        weights = torch.full((n,), 1.0 / n, device=qd.device)
        dq = torch.empty_like(qd)
        stats = kernels.softmax_ce(qd, kd, emb_scale, labels, None, weights, dq, dk, forced_splits,
                                   poison)
        total = total + ((stats[0].double() - stats[1].double()) * weights.double()).sum()
        q.backward(dq)
    keys.backward(dk)
    return total


# --- checks -----------------------------------------------------------------------------------------


def check_infonce(kernels, shape, forced, results, saturated=False):
    """saturated: rows of length magnitude and b = a + 0.01 noise, so that at temperature 0.01 (and
    magnitude 1) every positive outscores its row by ~30 or more."""
    import torch

    batch, dim, temperature, normalize, magnitude = shape
    a0 = torch.randn(batch, dim, device="cuda", dtype=torch.float64) * magnitude
    if saturated:
        a0 = normalize_rows(a0) * magnitude
        b0 = a0 + 0.01 * torch.randn_like(a0)
    else:
        b0 = torch.randn(batch, dim, device="cuda", dtype=torch.float64) * magnitude
    # float32 inputs, so that the reference sees exactly what the kernels see
    a0, b0 = a0.float().double(), b0.float().double()
    a64, b64 = a0.clone().requires_grad_(), b0.clone().requires_grad_()
    ref = infonce_reference(a64, b64, temperature, normalize, exact=True)
    ref.backward()
    a32, b32 = a0.float().requires_grad_(), b0.float().requires_grad_()
    loss, stats = infonce_kernel(kernels, a32, b32, temperature, normalize, forced_splits=forced,
                                 poison=True)
    torch.cuda.synchronize()
    errors = {
        "loss": loss_error(loss, ref),
        "grad_a": relative_error(a32.grad, a64.grad),
        "grad_b": relative_error(b32.grad, b64.grad),
        "stats_finite": bool(torch.isfinite(stats[:2]).all().item()),
    }
    record(results, "infonce", dict(batch=batch, dim=dim, temperature=temperature,
                                    normalize=normalize, magnitude=magnitude, splits=forced,
                                    saturated=saturated), errors)


def check_cpc(kernels, shape, forced, results, saturated=False):
    """saturated: unit patch vectors, each prediction its target k rows below plus 0.01 noise, scores
    scaled by 60: every label outscores its row by ~15 or more (D >= 19)."""
    import torch

    batch, dim, height, width = shape
    offsets = [2, 3, 4]
    t0 = torch.randn(batch, dim, height, width, device="cuda", dtype=torch.float64)
    if saturated:
        t0 = t0 / t0.norm(dim=1, keepdim=True)
        p0 = []
        for k in offsets:
            p = 0.01 * torch.randn_like(t0)
            p[:, :, : height - k] += t0[:, :, k:]
            p0.append(p)
    else:
        p0 = [torch.randn_like(t0) for _ in offsets]
    t0, p0 = t0.float().double(), [p.float().double() for p in p0]
    emb_scale = 60.0 if saturated else 0.1
    t64 = t0.clone().requires_grad_()
    p64 = [p.clone().requires_grad_() for p in p0]
    ref = cpc_reference(t64, p64, offsets, emb_scale, exact=True)
    ref.backward()
    t32 = t0.float().requires_grad_()
    p32 = [p.float().requires_grad_() for p in p0]
    loss = cpc_kernel(kernels, t32, p32, offsets, emb_scale, forced, poison=True)
    torch.cuda.synchronize()
    errors = {
        "loss": loss_error(loss, ref),
        "grad_targets": relative_error(t32.grad, t64.grad),
    }
    for k, p, r in zip(offsets, p32, p64):
        errors[f"grad_pred_k{k}"] = relative_error(p.grad, r.grad)
    record(results, "cpc", dict(batch=batch, dim=dim, height=height, width=width, splits=forced,
                                saturated=saturated), errors)


def check_amdim(kernels, shape, forced, results, saturated=False, shard=None):
    """saturated: source i and every location of target image i are magnitude times the i-th of
    batch orthonormal directions (batch <= dim) plus 0.05 noise, with no regulariser (its gradient
    would swamp the NCE's): raw scores of magnitude^2 / sqrt(dim) at the positives, ~0 elsewhere.
    shard: (first, n), the kernel and the reference get the source rows of images [first, first + n)
    only, with the whole batch's weights."""
    import torch

    batch, dim, locs, tclip, magnitude = shape
    first, n = shard if shard is not None else (0, batch)
    scale = 1.0 / math.sqrt(dim)
    nce_weight = 0.5 / (batch * locs)
    reg_weight = 0.0 if saturated else 0.5 * 0.05 / (batch * batch * locs)
    if saturated:
        q, _ = torch.linalg.qr(torch.randn(dim, batch, device="cuda", dtype=torch.float64))
        u = q.T * magnitude
        s0 = u + 0.05 * torch.randn_like(u)
        t0 = u.repeat_interleave(locs, dim=0)
        t0 = t0 + 0.05 * torch.randn_like(t0)
    else:
        s0 = torch.randn(batch, dim, device="cuda", dtype=torch.float64) * magnitude
        t0 = torch.randn(batch * locs, dim, device="cuda", dtype=torch.float64) * magnitude
    s0, t0 = s0[first:first + n].float().double(), t0.float().double()
    s64, t64 = s0.clone().requires_grad_(), t0.clone().requires_grad_()
    ref = amdim_reference(s64, t64, locs, scale, tclip, nce_weight, reg_weight, exact=True,
                          first=first)
    ref.backward()
    # dtrg is added to: start from random values of the gradient's own size (larger ones would
    # cancel digits when subtracted) and take them off again.
    start = (torch.randn(batch * locs, dim, device="cuda", dtype=torch.float64)
             * t64.grad.pow(2).mean().sqrt()).float()
    loss, dsrc, dtrg, stats = amdim_kernel(kernels, s0.float().contiguous(),
                                           t0.float().contiguous(), locs, scale, tclip, nce_weight,
                                           reg_weight, forced, poison=True, dtrg_start=start,
                                           first=first)
    torch.cuda.synchronize()
    errors = {
        "loss": loss_error(loss, ref),
        "grad_src": relative_error(dsrc, s64.grad),
        "grad_trg": relative_error(dtrg, t64.grad),
        "stats_finite": bool(torch.isfinite(stats).all().item()),
    }
    record(results, "amdim", dict(batch=batch, dim=dim, locations=locs, tclip=tclip,
                                  magnitude=magnitude, splits=forced, saturated=saturated,
                                  shard=[first, first + n]), errors)


def record(results, kernel, case, errors):
    # Booleans must hold; numbers are relative errors (NaN fails every comparison, so it fails here).
    ok = all(v if isinstance(v, bool) else v < TOLERANCE for v in errors.values())
    results["checks"].append(dict(kernel=kernel, case=case, errors=errors, ok=ok))
    worst = max((v for v in errors.values() if not isinstance(v, bool)), default=float("nan"))
    print(f"check {kernel:8s} {case} worst {worst:.2e} {'ok' if ok else 'FAIL'}", flush=True)


def run_checks(kernels, results):
    infonce_shapes = [
        (1, 5, 0.1, True, 1.0),
        (3, 7, 0.5, False, 1.0),
        (67, 33, 0.1, True, 1.0),
        (130, 128, 0.07, True, 1.0),
        (1000, 128, 0.2, False, 0.3),
        (4096, 128, 0.1, True, 1.0),
    ]
    amdim_shapes = [
        (2, 16, 1, 20.0, 1.0),
        (3, 40, 5, 20.0, 1.0),
        (65, 70, 7, 10.0, 1.0),
        (70, 64, 3, 10.0, 4.0),  # raw scores of tens: deep in the tanh clip
        (130, 256, 49, 20.0, 1.0),
        (512, 1024, 49, 20.0, 1.0),
    ]
    cpc_shapes = [(2, 8, 5, 5), (5, 33, 7, 7), (64, 64, 7, 7)]
    # every positive dominating its row (margins ~15 to 50): the gradient at the positive must not be
    # formed as softmax - 1
    saturated_shapes = [
        (check_infonce, (37, 19, 0.01, True, 1.0)),
        (check_infonce, (37, 19, 0.01, False, 1.0)),
        (check_infonce, (1000, 19, 0.01, True, 1.0)),
        (check_cpc, (5, 19, 7, 7)),
        (check_amdim, (5, 8, 4, 50.0, 10.6)),
        (check_amdim, (130, 256, 4, 50.0, 32.0)),
    ]
    for check, shapes in ((check_infonce, infonce_shapes), (check_amdim, amdim_shapes),
                          (check_cpc, cpc_shapes)):
        for shape in shapes:
            for forced in (1, None):
                guarded(results, f"{check.__name__}{shape} splits={forced}",
                        lambda: check(kernels, shape, forced, results))
    for check, shape in saturated_shapes:
        for forced in (1, None):
            guarded(results, f"{check.__name__}{shape} saturated splits={forced}",
                    lambda: check(kernels, shape, forced, results, saturated=True))
    # AMDIM shards (first, n): the first image, a range across the 64-row tile, the last image, a
    # quarter of B = 512 as one of four replicas holds it, and a saturated middle range
    shard_cases = [
        ((7, 16, 3, 20.0, 1.0), (0, 1), False),
        ((130, 40, 2, 20.0, 1.0), (50, 70), False),
        ((70, 64, 3, 10.0, 4.0), (69, 1), False),
        ((512, 1024, 49, 20.0, 1.0), (256, 128), False),
        ((130, 256, 4, 50.0, 32.0), (10, 100), True),
    ]
    for shape, shard, saturated in shard_cases:
        for forced in (1, None):
            guarded(results, f"check_amdim{shape} shard={shard} splits={forced}",
                    lambda: check_amdim(kernels, shape, forced, results, saturated=saturated,
                                        shard=shard))


def guarded(results, what, body):
    try:
        body()
    except Exception as e:  # one failing case must not hide the others
        results["errors"].append(f"{what}: {e!r}")
        results["checks"].append(dict(kernel=what, ok=False, error=repr(e)))
        traceback.print_exc()


# --- timing -----------------------------------------------------------------------------------------


def time_cuda(step, runs=TIMED_RUNS, warmup=WARMUP_RUNS):
    import torch

    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def timed_variant(results, name, size, variant, step, started):
    import torch

    entry = dict(loss=name, size=size, variant=variant)
    if variant == "torch.compile" and time.monotonic() - started > COMPILE_BUDGET_S:
        entry["status"] = "skipped: time budget"
        results["timings"].append(entry)
        print(f"time {name} {size} {variant}: skipped", flush=True)
        return
    try:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        entry["median_ms"] = time_cuda(step)
        entry["peak_extra_mib"] = (torch.cuda.max_memory_allocated() - base) / 2**20
        entry["status"] = "ok"
    except torch.cuda.OutOfMemoryError as e:
        entry["status"] = "out of memory"
        entry["detail"] = str(e).splitlines()[0]
    except Exception as e:  # torch.compile failures and the like are results, not crashes
        entry["status"] = "failed"
        entry["detail"] = repr(e)[:500]
    finally:
        torch.cuda.empty_cache()
    results["timings"].append(entry)
    print(f"time {name} {size} {variant}: {entry.get('median_ms', entry['status'])}", flush=True)


def eager_and_compiled(fn):
    import torch

    return [("pytorch eager", fn), ("torch.compile", torch.compile(fn, dynamic=False))]


def run_timings(kernels, results, started):
    import torch

    for batch in (4096, 16384, 65536):
        a = torch.randn(batch, 128, device="cuda", requires_grad=True)
        b = torch.randn(batch, 128, device="cuda", requires_grad=True)
        labels = infonce_labels(batch, a.device)
        size = f"B={batch} D=128"

        def fused():
            a.grad = b.grad = None
            infonce_kernel(kernels, a, b, 0.1, True, labels=labels)

        timed_variant(results, "infonce", size, "fused kernel", fused, started)
        for variant, fn in eager_and_compiled(infonce_reference):
            def step(fn=fn):
                a.grad = b.grad = None
                fn(a, b, 0.1, True).backward()

            timed_variant(results, "infonce", size, variant, step, started)
        del a, b, labels

    batch, dim, locs = 512, 1024, 49
    src = torch.randn(batch, dim, device="cuda")
    trg = torch.randn(batch * locs, dim, device="cuda")
    scale, nce_weight = 1.0 / math.sqrt(dim), 0.5 / (batch * locs)
    reg_weight = 0.5 * 0.05 / (batch * batch * locs)
    size = f"B={batch} D={dim} L={locs} (one directed comparison)"
    timed_variant(results, "amdim", size, "fused kernel",
                  lambda: amdim_kernel(kernels, src, trg, locs, scale, 20.0, nce_weight,
                                       reg_weight), started)
    s_req, t_req = src.clone().requires_grad_(), trg.clone().requires_grad_()
    for variant, fn in eager_and_compiled(amdim_reference):
        def step(fn=fn):
            s_req.grad = t_req.grad = None
            fn(s_req, t_req, locs, scale, 20.0, nce_weight, reg_weight).backward()

        timed_variant(results, "amdim", size, variant, step, started)

    batch, dim, grid = 256, 64, 7
    offsets = [2, 3, 4]
    targets = torch.randn(batch, dim, grid, grid, device="cuda", requires_grad=True)
    predictions = [torch.randn(batch, dim, grid, grid, device="cuda", requires_grad=True)
                   for _ in offsets]
    size = f"B={batch} D={dim} grid {grid}x{grid} k=2,3,4"

    def cpc_fused():
        targets.grad = None
        for p in predictions:
            p.grad = None
        cpc_kernel(kernels, targets, predictions, offsets, 0.1)

    timed_variant(results, "cpc", size, "fused kernel", cpc_fused, started)
    for variant, fn in eager_and_compiled(cpc_reference):
        def step(fn=fn):
            targets.grad = None
            for p in predictions:
                p.grad = None
            fn(targets, predictions, offsets, 0.1).backward()

        timed_variant(results, "cpc", size, variant, step, started)


# --- report -----------------------------------------------------------------------------------------


def flop_count(entry):
    """FLOPs of the fused path (forward + both backward strips: five score-sized matrix products)."""
    loss, size = entry["loss"], entry["size"]
    if loss == "infonce":
        batch = int(size.split()[0].split("=")[1])
        return 5 * 2 * (2 * batch) ** 2 * 128
    if loss == "amdim":
        return 5 * 2 * 512 * 512 * 49 * 1024
    if loss == "cpc":
        rows = sum(256 * (7 - k) * 7 for k in (2, 3, 4))
        return 5 * 2 * rows * 256 * 49 * 64
    return None


def write_report(results, out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in results["timings"]:
        flops = flop_count(entry)
        if entry.get("median_ms") and flops:
            entry["fused_path_tflops_equivalent"] = flops / (entry["median_ms"] * 1e-3) / 1e12
    (out_dir / "kernels.json").write_text(json.dumps(results, indent=2))
    lines = [
        f"# Fused loss kernels on {results.get('device', '?')}",
        "",
        f"Checks: {sum(c['ok'] for c in results['checks'])} of {len(results['checks'])} passed "
        f"(relative error < {TOLERANCE} against float64 autograd).",
        "",
        "| loss | size | variant | median ms | peak extra MiB | TFLOP/s (5-GEMM count) | status |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in results["timings"]:
        ms = f"{t['median_ms']:.3f}" if "median_ms" in t else ""
        mib = f"{t['peak_extra_mib']:.0f}" if "peak_extra_mib" in t else ""
        tf = f"{t['fused_path_tflops_equivalent']:.1f}" if "fused_path_tflops_equivalent" in t else ""
        status = t["status"] + (f": {t['detail'][:80]}" if "detail" in t else "")
        lines.append(f"| {t['loss']} | {t['size']} | {t['variant']} | {ms} | {mib} | {tf} | "
                     f"{status.replace('|', '/')} |")
    if results["errors"]:
        lines += ["", "Errors:", ""] + [f"- {e}" for e in results["errors"]]
    failed = [c for c in results["checks"] if not c["ok"]]
    if failed:
        lines += ["", "Failed checks:", ""] + [f"- {json.dumps(c)}" for c in failed]
    (out_dir / "kernels.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    fatbin, out_dir = Path(argv[1]), Path(argv[2])
    started = time.monotonic()
    results = {"checks": [], "timings": [], "errors": []}
    try:
        import torch

        torch.manual_seed(1234)
        torch.backends.cuda.matmul.allow_tf32 = False  # the eager peers in plain fp32, like the kernels
        results["device"] = torch.cuda.get_device_name(0)
        results["torch"] = torch.__version__
        kernels = Kernels(fatbin)
        results["module"] = kernels.source
        run_checks(kernels, results)
        guarded(results, "timings", lambda: run_timings(kernels, results, started))
    except Exception as e:
        results["errors"].append(f"setup: {e!r}")
        traceback.print_exc()
    results["wall_s"] = time.monotonic() - started
    write_report(results, out_dir)
    ok = not results["errors"] and results["checks"] and all(c["ok"] for c in results["checks"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
