#!/usr/bin/env python3
"""Float64 NumPy reference for the engine's four contrastive losses (InfoNCE, AMDIM, YADIM, CPC v2).

Implements the loss contract (docs/losses.md) with hand-derived analytic gradients, to cross-check the
Java losses run through `scripts/contrastive loss`. Needs only NumPy.

  loss_reference.py make DIR --type T [--seed S] [shape options]    write random inputs for type T
  loss_reference.py check DIR OUT --type T [loss options]           recompute and compare with OUT
  loss_reference.py --self-test                                     gradients vs finite differences

`check` loads the inputs from DIR, the source locations, loss.json and grad_*.npy from OUT (as the
`loss` command writes them), and prints the relative error of every scalar and gradient: for a
tensor, max |java - reference| / max |reference| (absolute when the reference is all zeros); for
meanPositive and meanNegative, relative to the largest |score|. Accuracy must lie in the range that
positives within 1e-4 of the score scale of a tie allow. It exits 1 if any error exceeds 1e-4, or if
a file, option or gradient does not match; 2 if it cannot read its inputs.
Give `check` the same loss options as the `loss` command (--tile-*, --seed do not apply).
"""

import argparse
import json
import math
import os
import sys

import numpy as np

TOLERANCE = 1e-4
DEFAULT_COMPARISONS = "r1:r5,r1:r7,r5:r5"


class Result:
    """Loss value, named parts summing to it, diagnostics and gradients keyed like the Java result.

    margins holds, for every positive, its score minus the hardest negative of its row (inf when
    there are no negatives); accuracy is the fraction above 0. score_scale is the largest |score|.
    """

    def __init__(self, loss, parts, mean_positive, mean_negative, margins, score_scale, grads):
        self.loss = loss
        self.parts = parts
        self.mean_positive = mean_positive
        self.mean_negative = mean_negative
        self.margins = margins
        self.accuracy = float((margins > 0).mean())
        self.score_scale = score_scale
        self.grads = grads

    def accuracy_bounds(self, tolerance):
        """Accuracy range if every positive within tolerance * score_scale of a tie may go either way.

        float32 rounding (or tanh saturating to exactly tclip) legitimately decides near-ties
        differently from float64, so accuracy is checked against this range, not a point.
        """
        near = tolerance * self.score_scale
        return float((self.margins > near).mean()), float((self.margins > -near).mean())


def _softmax_rows(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _logsumexp_rows(logits):
    m = logits.max(axis=1)
    return m + np.log(np.exp(logits - m[:, None]).sum(axis=1))


# ---------------------------------------------------------------------------------------------
# InfoNCE / NT-Xent


def infonce(a, b, temperature=0.1, normalize=True):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    batch = a.shape[0]
    n = 2 * batch
    z = np.concatenate([a, b])
    if normalize:
        norms = np.linalg.norm(z, axis=1)
        denom = np.maximum(norms, 1e-12)
        zn = z / denom[:, None]
    else:
        zn = z
    s = zn @ zn.T / temperature
    rows = np.arange(n)
    pos = (rows + batch) % n
    logits = s.copy()
    logits[rows, rows] = -np.inf
    per_row = _logsumexp_rows(logits) - s[rows, pos]
    loss = per_row.mean()

    g = _softmax_rows(logits)
    g[rows, pos] -= 1.0
    g /= n
    dzn = (g + g.T) @ zn / temperature
    if normalize:
        # d(z / max(|z|, eps)): the projection term only where the norm is above the floor.
        radial = (zn * dzn).sum(axis=1, keepdims=True)
        above = (norms > 1e-12)[:, None]
        dz = np.where(above, (dzn - zn * radial) / denom[:, None], dzn / denom[:, None])
    else:
        dz = dzn

    negative = ~np.eye(n, dtype=bool)
    negative[rows, pos] = False
    positives = s[rows, pos]
    if batch == 1:
        mean_negative, margins = math.nan, np.full(n, np.inf)
    else:
        mean_negative = s[negative].mean()
        margins = positives - np.where(negative, s, -np.inf).max(axis=1)
    return Result(loss, {"nce": loss}, positives.mean(), mean_negative, margins,
                  np.abs(s).max(), {"a": dz[:batch], "b": dz[batch:]})


# ---------------------------------------------------------------------------------------------
# AMDIM multi-scale NCE and YADIM


def _locations_of(feature_map):
    """(B, D) or (B, D, H, W) -> (B, D, L) with l = h * W + w."""
    x = np.asarray(feature_map, dtype=np.float64)
    if x.ndim == 2:
        return x[:, :, None]
    return x.reshape(x.shape[0], x.shape[1], -1)


def _amdim_direction(source_map, target_map, locations, tclip, reg_weight, stats):
    """One directed comparison. Returns (nce, reg, d(0.5 nce + 0.5 reg)/d source_map, .../d target)."""
    batch, dim, source_count = source_map.shape
    target_count = target_map.shape[2]
    rows = np.arange(batch)
    src = source_map[:, :, 0] if source_count == 1 else source_map[rows, :, locations]
    raw = np.einsum("id,jdl->ijl", src, target_map) / math.sqrt(dim)
    c = tclip * np.tanh(raw / tclip)

    positives = c[rows, rows, :]  # (B, L)
    others = ~np.eye(batch, dtype=bool)  # j != i
    shift = c.reshape(batch, -1).max(axis=1)  # per source row, over positives and negatives
    e = np.exp(c - shift[:, None, None])
    negative_sum = (e * others[:, :, None]).sum(axis=(1, 2))  # (B,)
    z = np.exp(positives - shift[:, None]) + negative_sum[:, None]  # (B, L)
    nce = (-positives + shift[:, None] + np.log(z)).mean()
    reg = reg_weight * (raw ** 2).mean()

    count = batch * target_count
    dc = e * (1.0 / z).sum(axis=1)[:, None, None] * others[:, :, None] / count
    dc[rows, rows, :] = (np.exp(positives - shift[:, None]) / z - 1.0) / count
    draw = 0.5 * dc * (1.0 - (c / tclip) ** 2) + 0.5 * reg_weight * 2.0 * raw / raw.size
    dsrc = np.einsum("ijl,jdl->id", draw, target_map) / math.sqrt(dim)
    dtarget = np.einsum("ijl,id->jdl", draw, src) / math.sqrt(dim)
    dsource_map = np.zeros_like(source_map)
    if source_count == 1:
        dsource_map[:, :, 0] = dsrc
    else:
        dsource_map[rows, :, locations] = dsrc

    stats["positive_sum"] += positives.sum()
    stats["positive_count"] += positives.size
    # Each negative c_ijl' counts once per directed comparison, not once per positive of row i.
    stats["negative_sum"] += (c * others[:, :, None]).sum()
    stats["negative_count"] += batch * (batch - 1) * target_count
    stats["score_scale"] = max(stats["score_scale"], np.abs(c).max())
    if batch == 1:
        stats["margins"].append(np.full(positives.size, np.inf))
    else:
        hardest = np.where(others[:, :, None], c, -np.inf).reshape(batch, -1).max(axis=1)
        stats["margins"].append((positives - hardest[:, None]).ravel())
    return nce, reg, dsource_map, dtarget


def parse_comparisons(spec):
    comparisons = []
    for item in spec.split(","):
        parts = item.strip().split(":")
        if len(parts) != 2 or not all(p.isalnum() for p in parts):
            raise ValueError(f"comparison '{item}' must look like SOURCE:TARGET, for example r1:r5")
        comparisons.append((parts[0], parts[1]))
    return comparisons


def sampler_key(source, target, a_to_b):
    return f"{source}_{target}_{'ab' if a_to_b else 'ba'}"


def amdim(view_a, view_b, comparisons, locations, tclip=20.0, reg_weight=0.05):
    """view_a, view_b: map name -> (B, D[, H, W]); locations: sampler key -> (B,) int array."""
    flat = {("a", name): _locations_of(x) for name, x in view_a.items()}
    flat.update({("b", name): _locations_of(x) for name, x in view_b.items()})
    grads = {key: np.zeros_like(x) for key, x in flat.items()}
    stats = dict(positive_sum=0.0, positive_count=0, negative_sum=0.0, negative_count=0,
                 margins=[], score_scale=0.0)
    parts, reg_total = {}, 0.0
    for source, target in comparisons:
        nce_pair = 0.0
        for x, y, a_to_b in (("a", "b", True), ("b", "a", False)):
            source_map = flat[(x, source)]
            key = sampler_key(source, target, a_to_b)
            loc = None
            if source_map.shape[2] > 1:
                if key not in locations:
                    raise ValueError(f"no source locations for '{key}'")
                loc = np.asarray(locations[key], dtype=np.int64)
            nce, reg, dsource, dtarget = _amdim_direction(
                source_map, flat[(y, target)], loc, tclip, reg_weight, stats)
            nce_pair += 0.5 * nce
            reg_total += 0.5 * reg
            grads[(x, source)] += dsource
            grads[(y, target)] += dtarget
        parts[f"{source}->{target}"] = nce_pair
    parts["reg"] = reg_total
    loss = sum(parts.values())
    shapes = {("a", n): np.shape(x) for n, x in view_a.items()}
    shapes.update({("b", n): np.shape(x) for n, x in view_b.items()})
    named = {f"{view}_{name}": g.reshape(shapes[(view, name)]) for (view, name), g in grads.items()}
    mean_negative = (stats["negative_sum"] / stats["negative_count"]
                     if stats["negative_count"] else math.nan)
    return Result(loss, parts, stats["positive_sum"] / stats["positive_count"], mean_negative,
                  np.concatenate(stats["margins"]), stats["score_scale"], named)


def yadim(a, b, locations, tclip=20.0, reg_weight=0.05):
    r = amdim({"last": a}, {"last": b}, [("last", "last")], locations, tclip, reg_weight)
    r.grads = {"a": r.grads["a_last"], "b": r.grads["b_last"]}
    return r


# ---------------------------------------------------------------------------------------------
# CPC v2 InfoNCE


def cpc(targets, predictions, steps_to_skip=2, emb_scale=0.1):
    """predictions[s] predicts row offset k = steps_to_skip + s."""
    t = np.asarray(targets, dtype=np.float64)
    batch, dim, height, width = t.shape
    candidates = t.transpose(0, 2, 3, 1).reshape(-1, dim)  # (B*H*W, D), index (b*H + r)*W + c
    dcandidates = np.zeros_like(candidates)
    parts, grads = {}, {}
    positive_sum = negative_sum = score_scale = 0.0
    row_count = negative_count = 0
    margins = []
    for step, prediction in enumerate(predictions):
        k = steps_to_skip + step
        p = np.asarray(prediction, dtype=np.float64)
        if height <= k:
            raise ValueError(f"pred_k{k} needs H > {k}, got H = {height}")
        kept = height - k
        rows = p[:, :, :kept, :].transpose(0, 2, 3, 1).reshape(-1, dim)
        b, r, c = np.meshgrid(np.arange(batch), np.arange(kept), np.arange(width), indexing="ij")
        labels = ((b * height + r + k) * width + c).reshape(-1)
        scores = emb_scale * rows @ candidates.T
        index = np.arange(rows.shape[0])
        positives = scores[index, labels]
        parts[f"k{k}"] = (_logsumexp_rows(scores) - positives).mean()

        g = _softmax_rows(scores)
        g[index, labels] -= 1.0
        g /= rows.shape[0]
        drows = emb_scale * g @ candidates
        dcandidates += emb_scale * g.T @ rows
        dp = np.zeros_like(p)
        dp[:, :, :kept, :] = drows.reshape(batch, kept, width, dim).transpose(0, 3, 1, 2)
        grads[f"pred_k{k}"] = dp

        others = scores.copy()
        others[index, labels] = -np.inf
        positive_sum += positives.sum()
        negative_sum += scores.sum() - positives.sum()
        row_count += rows.shape[0]
        negative_count += rows.shape[0] * (scores.shape[1] - 1)
        margins.append(positives - others.max(axis=1))
        score_scale = max(score_scale, np.abs(scores).max())
    grads["targets"] = dcandidates.reshape(batch, height, width, dim).transpose(0, 3, 1, 2)
    return Result(sum(parts.values()), parts, positive_sum / row_count,
                  negative_sum / negative_count if negative_count else math.nan,
                  np.concatenate(margins), score_scale, grads)


# ---------------------------------------------------------------------------------------------
# Reading a loss command's inputs and outputs


class Inputs:
    """The inputs of one loss type, by the file names the `loss` command reads."""

    def __init__(self, kind, arrays, comparisons=None, prediction_offsets=None):
        self.kind = kind
        self.arrays = arrays  # file stem -> array
        self.comparisons = comparisons
        self.prediction_offsets = prediction_offsets

    def multi_location_keys(self):
        """Sampler keys whose source map has more than one location (so locations were used)."""
        if self.kind == "amdim":
            pairs = self.comparisons
            maps = {name: self.arrays[f"a_{name}"] for pair in pairs for name in pair}
        elif self.kind == "yadim":
            pairs = [("last", "last")]
            maps = {"last": self.arrays["a"]}
        else:
            return []
        keys = []
        for source, target in pairs:
            if _locations_of(maps[source]).shape[2] > 1:
                keys += [sampler_key(source, target, True), sampler_key(source, target, False)]
        return keys


def input_files(kind, comparisons, offsets):
    if kind in ("infonce", "yadim"):
        return ["a", "b"]
    if kind == "amdim":
        names = list(dict.fromkeys(name for pair in comparisons for name in pair))
        return [f"{view}_{name}" for view in ("a", "b") for name in names]
    return ["targets"] + [f"pred_k{k}" for k in offsets]


def compute(args, inputs, locations):
    x = inputs.arrays
    if args.type == "infonce":
        return infonce(x["a"], x["b"], args.temperature, not args.no_normalize)
    if args.type == "amdim":
        names = list(dict.fromkeys(name for pair in inputs.comparisons for name in pair))
        return amdim({n: x[f"a_{n}"] for n in names}, {n: x[f"b_{n}"] for n in names},
                     inputs.comparisons, locations, args.tclip, args.reg_weight)
    if args.type == "yadim":
        return yadim(x["a"], x["b"], locations, args.tclip, args.reg_weight)
    return cpc(x["targets"], [x[f"pred_k{k}"] for k in inputs.prediction_offsets],
               args.steps_to_skip, args.emb_scale)


def expected_options(args):
    """The options loss.json must report for this check to be comparing like with like."""
    if args.type == "infonce":
        return {"temperature": args.temperature, "normalize": not args.no_normalize}
    if args.type == "amdim":
        return {"tclip": args.tclip, "regWeight": args.reg_weight,
                "comparisons": [f"{s}:{t}" for s, t in parse_comparisons(args.comparisons)]}
    if args.type == "yadim":
        return {"tclip": args.tclip, "regWeight": args.reg_weight}
    return {"stepsToSkip": args.steps_to_skip, "stepsToPredict": args.steps_to_predict,
            "embScale": args.emb_scale}


def same_option(expected, found):
    if isinstance(expected, float) and isinstance(found, (int, float)):
        return math.isclose(expected, found, rel_tol=1e-12)
    return expected == found


def relative_error(found, reference, scale=None):
    """max |found - reference| / scale, scale defaulting to max |reference| (absolute if that is 0)."""
    found = np.asarray(found, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if found.shape != reference.shape:
        return math.inf
    both_nan = np.isnan(found) & np.isnan(reference)
    diff = np.where(both_nan, 0.0, np.abs(found - reference))
    if diff.size == 0:
        return 0.0
    if np.isnan(diff).any():
        return math.inf
    if scale is None:
        scale = np.abs(np.where(np.isnan(reference), 0.0, reference)).max()
    return float(diff.max() / scale) if scale > 0 else float(diff.max())


def check(args):
    failures = []
    comparisons = parse_comparisons(args.comparisons) if args.type == "amdim" else None
    offsets = list(range(args.steps_to_skip, args.steps_to_skip + args.steps_to_predict))
    arrays = {}
    for stem in input_files(args.type, comparisons, offsets):
        arrays[stem] = np.load(os.path.join(args.dir, stem + ".npy"))
    inputs = Inputs(args.type, arrays, comparisons, offsets)

    locations = {}
    for key in inputs.multi_location_keys():
        used = os.path.join(args.out, f"src_loc_{key}.npy")
        if not os.path.exists(used):
            failures.append(f"{used} is missing: the loss command writes every source location it used")
            continue
        locations[key] = np.load(used)
        given = os.path.join(args.dir, f"src_loc_{key}.npy")
        if os.path.exists(given) and not np.array_equal(np.load(given), locations[key]):
            failures.append(f"{used} differs from the locations given in {given}")
    with open(os.path.join(args.out, "loss.json")) as f:
        report = json.load(f)
    if report.get("type") != args.type:
        failures.append(f"loss.json has type {report.get('type')!r}, expected {args.type!r}")
    for name, value in expected_options(args).items():
        found = report.get("options", {}).get(name)
        if not same_option(value, found):
            failures.append(f"loss.json option {name} = {found!r}, this check uses {value!r}")
    if failures:
        return failures

    reference = compute(args, inputs, locations)
    rows = [("loss", report["loss"], reference.loss, None)]
    if set(report["parts"]) != set(reference.parts):
        failures.append(f"parts {sorted(report['parts'])}, expected {sorted(reference.parts)}")
    rows += [(f"part {n}", report["parts"].get(n), v, None) for n, v in reference.parts.items()]
    # A mean of scores can be near 0 while its terms are not: measure it against the scores' scale.
    for label, mean in (("meanPositive", reference.mean_positive),
                        ("meanNegative", reference.mean_negative)):
        scale = max(abs(mean), reference.score_scale) if not math.isnan(mean) else None
        rows.append((label, report[label], mean, scale))
    written = sorted(f[len("grad_"):-len(".npy")] for f in os.listdir(args.out)
                     if f.startswith("grad_") and f.endswith(".npy"))
    if written != sorted(reference.grads):
        failures.append(f"gradients written {written}, expected {sorted(reference.grads)}")
    for name, expected in reference.grads.items():
        path = os.path.join(args.out, f"grad_{name}.npy")
        if os.path.exists(path):
            found = np.load(path)
            if found.shape != expected.shape:
                failures.append(f"grad_{name}.npy has shape {found.shape}, expected {expected.shape}")
            rows.append((f"grad_{name}", found, expected, None))

    print(f"{args.type}: java (OUT) vs float64 reference, relative error (limit {TOLERANCE:g})")
    for label, found, expected, scale in rows:
        found = math.nan if found is None else found
        error = relative_error(found, expected, scale)
        flag = "" if error <= TOLERANCE else "   <-- FAIL"
        print(f"  {label:<24} {error:.3e}{flag}")
        if error > TOLERANCE:
            failures.append(f"{label}: relative error {error:.3e} > {TOLERANCE:g}")
    low, high = reference.accuracy_bounds(TOLERANCE)
    found = report["accuracy"]
    within = found is not None and low - 1e-12 <= found <= high + 1e-12
    print(f"  {'accuracy':<24} {found} vs {reference.accuracy:.6g}, near-ties allow "
          f"[{low:.6g}, {high:.6g}]{'' if within else '   <-- FAIL'}")
    if not within:
        failures.append(f"accuracy {found} outside [{low:.6g}, {high:.6g}]")
    return failures


# ---------------------------------------------------------------------------------------------
# Writing random inputs


def parse_map_sizes(spec):
    sizes = {}
    for item in spec.split(","):
        name, _, size = item.partition("=")
        if not size.isdigit() or int(size) < 1:
            raise ValueError(f"map size '{item}' must look like NAME=SIZE with SIZE >= 1, e.g. r5=5")
        sizes[name.strip()] = int(size)
    return sizes


def make(args):
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.dir, exist_ok=True)

    def features(shape):
        return (args.scale * rng.standard_normal(shape)).astype(args.dtype)

    def save(stem, array):
        np.save(os.path.join(args.dir, stem + ".npy"), array)

    def feature_map(size):
        if size == 1 and not args.single_as_4d:
            return features((args.batch, args.dim))
        return features((args.batch, args.dim, size, size))

    written, sources = {}, []
    if args.type == "infonce":
        written = {"a": features((args.batch, args.dim)), "b": features((args.batch, args.dim))}
    elif args.type == "amdim":
        sizes = parse_map_sizes(args.map_sizes)
        comparisons = parse_comparisons(args.comparisons)
        names = list(dict.fromkeys(name for pair in comparisons for name in pair))
        missing = [n for n in names if n not in sizes]
        if missing:
            raise ValueError(f"--map-sizes has no size for {missing}")
        for view in ("a", "b"):
            written.update({f"{view}_{n}": feature_map(sizes[n]) for n in names})
        sources = [(s, t, sizes[s]) for s, t in comparisons]
    elif args.type == "yadim":
        written = {"a": feature_map(args.size), "b": feature_map(args.size)}
        sources = [("last", "last", args.size)]
    else:
        shape = (args.batch, args.dim, args.height, args.width)
        written = {"targets": features(shape)}
        for k in range(args.steps_to_skip, args.steps_to_skip + args.steps_to_predict):
            written[f"pred_k{k}"] = features(shape)
    for stem, array in written.items():
        save(stem, array)
    if args.src_locs and args.type in ("amdim", "yadim"):
        for source, target, size in sources:
            if size > 1:
                for a_to_b in (True, False):
                    locations = rng.integers(0, size * size, args.batch).astype("<i4")
                    save(f"src_loc_{sampler_key(source, target, a_to_b)}", locations)
    print(f"wrote {', '.join(sorted(written))} to {args.dir}")


# ---------------------------------------------------------------------------------------------
# Self-test: gradients against central finite differences, values against plain loops


def _finite_difference_errors(function, inputs, step=1e-6):
    """Max error of each analytic gradient vs central differences, relative to the gradient's max."""
    analytic = function(inputs).grads
    errors = {}
    for name, x in inputs.items():
        numeric = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            saved = x[index]
            x[index] = saved + step
            up = function(inputs).loss
            x[index] = saved - step
            down = function(inputs).loss
            x[index] = saved
            numeric[index] = (up - down) / (2 * step)
        scale = max(np.abs(numeric).max(), 1e-12)
        errors[name] = np.abs(analytic[name] - numeric).max() / scale
    return errors


class _Tally:
    """Plain-loop loss and diagnostics, accumulated one positive at a time."""

    def __init__(self):
        self.positives, self.negatives, self.correct = [], [], 0

    def row(self, positive, negatives):
        self.positives.append(positive)
        self.negatives += negatives
        self.correct += int(not negatives or positive > max(negatives))

    def matches(self, result):
        mean_negative = sum(self.negatives) / len(self.negatives) if self.negatives else math.nan
        expected = (sum(self.positives) / len(self.positives), mean_negative,
                    self.correct / len(self.positives))
        found = (result.mean_positive, result.mean_negative, result.accuracy)
        return max(0.0 if math.isnan(e) and math.isnan(f) else abs(e - f)
                   for e, f in zip(expected, found))


def _loop_infonce(a, b, tau, normalize, tally):
    z = [np.array(v, dtype=np.float64) for v in list(a) + list(b)]
    if normalize:
        z = [v / max(np.linalg.norm(v), 1e-12) for v in z]
    n, batch = len(z), len(a)
    total = 0.0
    for i in range(n):
        s = [z[i] @ z[j] / tau for j in range(n)]
        pos = (i + batch) % n
        total += -s[pos] + math.log(sum(math.exp(s[j]) for j in range(n) if j != i))
        tally.row(s[pos], [s[j] for j in range(n) if j not in (i, pos)])
    return total / n


def _loop_amdim_direction(src_map, trg_map, loc, tclip, weight, tally):
    src, trg = _locations_of(src_map), _locations_of(trg_map)
    batch, dim, targets = src.shape[0], src.shape[1], trg.shape[2]
    s = [src[i, :, 0] if src.shape[2] == 1 else src[i, :, loc[i]] for i in range(batch)]

    def raw(i, j, l):
        return s[i] @ trg[j, :, l] / math.sqrt(dim)

    def clip(v):
        return tclip * math.tanh(v / tclip)

    nce = reg = 0.0
    for i in range(batch):
        negatives = [clip(raw(i, j, m)) for j in range(batch) if j != i for m in range(targets)]
        tally.negatives += negatives
        for l in range(targets):
            pos = clip(raw(i, i, l))
            nce += -pos + math.log(math.exp(pos) + sum(math.exp(v) for v in negatives))
            tally.positives.append(pos)
            tally.correct += int(not negatives or pos > max(negatives))
        reg += sum(raw(i, j, l) ** 2 for j in range(batch) for l in range(targets))
    return nce / (batch * targets), weight * reg / (batch * batch * targets)


def _loop_cpc(targets, predictions, skip, scale, tally):
    batch, dim, height, width = targets.shape
    total = 0.0
    for step, p in enumerate(predictions):
        k = skip + step
        losses = []
        for b in range(batch):
            for r in range(height - k):
                for c in range(width):
                    scores = {(b2, r2, c2): scale * p[b, :, r, c] @ targets[b2, :, r2, c2]
                              for b2 in range(batch) for r2 in range(height) for c2 in range(width)}
                    lse = math.log(sum(math.exp(v) for v in scores.values()))
                    label = (b, r + k, c)
                    losses.append(lse - scores[label])
                    tally.row(scores[label], [v for key, v in scores.items() if key != label])
        total += sum(losses) / len(losses)
    return total


def self_test():
    rng = np.random.default_rng(7)
    failures = []

    def expect(label, value, limit):
        ok = value <= limit
        print(f"  {label:<52} {value:.2e} {'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append(label)

    for normalize in (True, False):
        x = {"a": rng.standard_normal((3, 4)), "b": rng.standard_normal((3, 4))}

        def infonce_fn(v, normalize=normalize):
            return infonce(v["a"], v["b"], 0.5, normalize)

        for name, e in _finite_difference_errors(infonce_fn, x).items():
            expect(f"infonce normalize={normalize} grad {name} vs finite differences", e, 1e-6)
        tally = _Tally()
        expect(f"infonce normalize={normalize} loss vs loop",
               abs(infonce_fn(x).loss - _loop_infonce(x["a"], x["b"], 0.5, normalize, tally)),
               1e-10)
        expect(f"infonce normalize={normalize} diagnostics vs loop", tally.matches(infonce_fn(x)),
               1e-10)

    for maps, tclip in ((dict(r1=(3, 4), r5=(3, 4, 2, 2), r7=(3, 4, 3, 3)), 1.5),
                        (dict(r1=(3, 4, 1, 1), r5=(3, 4, 2, 2), r7=(3, 4, 3, 3)), 20.0)):
        comparisons = parse_comparisons(DEFAULT_COMPARISONS)
        locs = {sampler_key("r5", "r5", d): rng.integers(0, 4, 3) for d in (True, False)}
        x = {f"{v}_{n}": rng.standard_normal(s) for v in "ab" for n, s in maps.items()}

        def amdim_fn(v, maps=maps, locs=locs, tclip=tclip):
            return amdim({n: v[f"a_{n}"] for n in maps}, {n: v[f"b_{n}"] for n in maps},
                         comparisons, locs, tclip, 0.3)

        for name, e in _finite_difference_errors(amdim_fn, x).items():
            expect(f"amdim tclip={tclip} grad {name} vs finite differences", e, 1e-6)
        result = amdim_fn(x)
        expected = 0.0
        tally = _Tally()
        for s, t in comparisons:
            for src, trg, key in (("a", "b", "ab"), ("b", "a", "ba")):
                nce, reg = _loop_amdim_direction(x[f"{src}_{s}"], x[f"{trg}_{t}"],
                                                 locs.get(f"{s}_{t}_{key}"), tclip, 0.3, tally)
                expected += 0.5 * nce + 0.5 * reg
        expect(f"amdim tclip={tclip} loss vs loop", abs(result.loss - expected), 1e-10)
        expect(f"amdim tclip={tclip} diagnostics vs loop", tally.matches(result), 1e-10)
        expect(f"amdim tclip={tclip} parts sum to loss",
               abs(sum(result.parts.values()) - result.loss), 1e-12)

    x = {"a": rng.standard_normal((2, 3, 2, 2)), "b": rng.standard_normal((2, 3, 2, 2))}
    locs = {"last_last_ab": np.array([3, 1]), "last_last_ba": np.array([0, 2])}
    for name, e in _finite_difference_errors(lambda v: yadim(v["a"], v["b"], locs, 2.0, 0.1),
                                             x).items():
        expect(f"yadim grad {name} vs finite differences", e, 1e-6)

    one = yadim(rng.standard_normal((1, 3)), rng.standard_normal((1, 3)), {})
    expect("yadim B=1: accuracy 1, meanNegative NaN",
           0.0 if one.accuracy == 1.0 and math.isnan(one.mean_negative) else 1.0, 0.0)

    x = {"targets": rng.standard_normal((2, 3, 4, 2))}
    x.update({f"pred_k{k}": rng.standard_normal((2, 3, 4, 2)) for k in (1, 2)})

    def cpc_fn(v):
        return cpc(v["targets"], [v["pred_k1"], v["pred_k2"]], 1, 0.7)

    for name, e in _finite_difference_errors(cpc_fn, x).items():
        expect(f"cpc grad {name} vs finite differences", e, 1e-6)
    tally = _Tally()
    looped = _loop_cpc(x["targets"], [x["pred_k1"], x["pred_k2"]], 1, 0.7, tally)
    expect("cpc loss vs loop", abs(cpc_fn(x).loss - looped), 1e-10)
    expect("cpc diagnostics vs loop", tally.matches(cpc_fn(x)), 1e-10)
    expect("cpc rows r >= H - k of pred_k2 get zero gradient",
           np.abs(cpc_fn(x).grads["pred_k2"][:, :, 2:, :]).max(), 0.0)

    print("self-test " + ("passed" if not failures else f"FAILED: {failures}"))
    return 0 if not failures else 1


# ---------------------------------------------------------------------------------------------


def add_loss_options(p):
    p.add_argument("--temperature", type=float, default=0.1, help="infonce (default 0.1)")
    p.add_argument("--no-normalize", action="store_true", help="infonce: skip L2 normalisation")
    p.add_argument("--tclip", type=float, default=20.0, help="amdim, yadim (default 20)")
    p.add_argument("--reg-weight", type=float, default=0.05, help="amdim, yadim (default 0.05)")
    p.add_argument("--comparisons", default=DEFAULT_COMPARISONS,
                   help=f"amdim (default {DEFAULT_COMPARISONS})")
    p.add_argument("--steps-to-skip", type=int, default=2, help="cpc (default 2)")
    p.add_argument("--steps-to-predict", type=int, default=3, help="cpc (default 3)")
    p.add_argument("--emb-scale", type=float, default=0.1, help="cpc (default 0.1)")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--self-test", action="store_true",
                        help="check every analytic gradient against finite differences and exit")
    modes = parser.add_subparsers(dest="mode")
    types = ("infonce", "amdim", "cpc", "yadim")

    make_parser = modes.add_parser("make", help="write random inputs for one loss type")
    make_parser.add_argument("dir")
    make_parser.add_argument("--type", required=True, choices=types)
    make_parser.add_argument("--seed", type=int, default=0)
    make_parser.add_argument("--batch", type=int, default=4)
    make_parser.add_argument("--dim", type=int, default=8)
    make_parser.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    make_parser.add_argument("--scale", type=float, default=1.0, help="standard deviation of inputs")
    make_parser.add_argument("--comparisons", default=DEFAULT_COMPARISONS, help="amdim")
    make_parser.add_argument("--map-sizes", default="r1=1,r5=5,r7=7",
                             help="amdim: NAME=SIZE for each map, maps are SIZE x SIZE")
    make_parser.add_argument("--size", type=int, default=3, help="yadim: maps are SIZE x SIZE")
    make_parser.add_argument("--single-as-4d", action="store_true",
                             help="amdim, yadim: write one-location maps as (B, D, 1, 1), not (B, D)")
    make_parser.add_argument("--src-locs", action="store_true",
                             help="amdim, yadim: also write src_loc_<key>.npy for every sampled source")
    make_parser.add_argument("--height", type=int, default=6, help="cpc")
    make_parser.add_argument("--width", type=int, default=3, help="cpc")
    make_parser.add_argument("--steps-to-skip", type=int, default=2, help="cpc")
    make_parser.add_argument("--steps-to-predict", type=int, default=3, help="cpc")

    check_parser = modes.add_parser("check", help="recompute a loss command's outputs in float64")
    check_parser.add_argument("dir", help="the inputs (the loss command's --in)")
    check_parser.add_argument("out", help="the loss command's --out")
    check_parser.add_argument("--type", required=True, choices=types)
    add_loss_options(check_parser)

    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    if args.mode == "make":
        make(args)
        return 0
    if args.mode == "check":
        failures = check(args)
        for failure in failures:
            print(f"FAIL {failure}", file=sys.stderr)
        return 1 if failures else 0
    parser.error("give a mode (make or check) or --self-test")
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (ValueError, OSError) as e:
        print(f"loss_reference.py: {e}", file=sys.stderr)
        sys.exit(2)
