package dev.contrastive.bench.parallel;

import dev.contrastive.bench.RandomInputs;
import dev.contrastive.core.io.AtomicFiles;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.core.parallel.Collectives;
import dev.contrastive.core.parallel.InProcessGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Native memory of InfoNCE over a gathered global batch: N in-process replicas (threads), each
 * owning B images' two views of D-dim features, run DataParallel's loss phase once: all-gather of a
 * and b, the fused loss of its own anchors ({@link Shard}) against all N B images, reduce-scatter
 * of the two partial gradients, all inside a {@code "train-step"} scope as DataParallel's replicas
 * do.
 *
 * <p>Measured: the whole process's peak resident memory above the level before the step (VmHWM,
 * reset at the start), per phase (a barrier after each phase reads VmRSS and VmHWM and resets the
 * peak), and per replica what each scope allocated (the workspaces' cycle counters, bytes of the
 * arrays created in them): the gathered copies, the loss's scratch, its score tiles, its outputs
 * and the reduce-scatter results, so that what dominates is measured rather than estimated. Each
 * replica thread first runs the same phases at a tiny batch, which loads the kernels and creates
 * its scopes; the measured step's arrays therefore all spill past the tiny workspaces, as in a
 * first step at a new size, and each scope reallocates its buffer to the learned size when it
 * closes.
 *
 * <p>Usage: {@code GatheredInfoNce OUT.md COMMAND CPU REPLICAS IMAGES_PER_REPLICA DIM}, e.g. {@code
 * out.md "scripts/bench-parallel.sh infonce" Xeon 8 8192 128}.
 */
public final class GatheredInfoNce {

    private static final String STEP_SCOPE = "train-step";

    /**
     * The scopes the loss opens (InfoNceLoss, SoftmaxCrossEntropyKernel's Scratch), innermost last.
     */
    private static final List<String> LOSS_SCOPES =
            List.of("infonce-loss", "contrastive-row-block", "contrastive-tile");

    /**
     * The three phases, then the scopes' closing, when each reallocates its buffer to the step's
     * size.
     */
    private static final List<String> PHASES =
            List.of("all-gather", "loss", "reduce-scatter", "scopes closing (after the last phase)");

    private static final int WARM_UP_IMAGES = 16;
    private static final double MIB = 1 << 20;

    private GatheredInfoNce() {}

    /** What one replica's scopes allocated in the measured step, bytes. */
    record ReplicaBytes(
            long gathered, long lossOutputs, long reduceScattered, Map<String, Long> lossScopes, double lossSeconds) {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            throw new IllegalArgumentException(
                    "usage: GatheredInfoNce OUT.md COMMAND CPU REPLICAS IMAGES_PER_REPLICA DIM");
        }
        Path out = Path.of(args[0]);
        RunHeader header = RunHeader.startingNow(args[1], args[2]);
        int replicas = Integer.parseInt(args[3]);
        int perReplica = Integer.parseInt(args[4]);
        int dim = Integer.parseInt(args[5]);
        if (replicas < 1 || perReplica < WARM_UP_IMAGES || dim < 1) {
            throw new IllegalArgumentException("REPLICAS must be >= 1, IMAGES_PER_REPLICA >= "
                    + WARM_UP_IMAGES
                    + ", DIM >= 1; got "
                    + replicas
                    + ", "
                    + perReplica
                    + ", "
                    + dim);
        }
        InfoNceLoss loss = new InfoNceLoss(InfoNceOptions.defaults());
        INDArray[] a = new INDArray[replicas];
        INDArray[] b = new INDArray[replicas];
        for (int r = 0; r < replicas; r++) {
            a[r] = RandomInputs.nd4j(RandomInputs.gaussian(2L * r, (long) perReplica * dim), perReplica, dim);
            b[r] = RandomInputs.nd4j(RandomInputs.gaussian(2L * r + 1, (long) perReplica * dim), perReplica, dim);
        }
        AtomicInteger named = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(replicas, task -> {
            Thread t = new Thread(task, "replica-" + named.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try {
            // Warm-up: each replica thread, the same phases at a tiny batch, no measurement.
            runStep(threads, loss, slices(a, WARM_UP_IMAGES), slices(b, WARM_UP_IMAGES), null);
            List<ResidentMemory> marks = new ArrayList<>();
            ResidentMemory.resetPeak();
            ResidentMemory baseline = ResidentMemory.read();
            CyclicBarrier phaseEnd = new CyclicBarrier(replicas, () -> {
                try {
                    marks.add(ResidentMemory.read());
                    ResidentMemory.resetPeak();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            long t0 = System.nanoTime();
            List<ReplicaBytes> bytes = runStep(threads, loss, a, b, phaseEnd);
            double seconds = (System.nanoTime() - t0) / 1e9;
            marks.add(ResidentMemory.read());
            String body = render(replicas, perReplica, dim, baseline, marks, bytes, seconds);
            AtomicFiles.writeString(
                    out,
                    header.markdown("Gathered InfoNCE memory: "
                                    + replicas
                                    + " in-process replicas,"
                                    + " global batch "
                                    + (long) replicas * perReplica)
                            + body);
            System.out.print(body);
        } finally {
            threads.shutdownNow();
        }
    }

    private static INDArray[] slices(INDArray[] x, int rows) {
        INDArray[] s = new INDArray[x.length];
        for (int r = 0; r < x.length; r++) {
            s[r] = x[r].get(NDArrayIndex.interval(0, rows)).dup();
        }
        return s;
    }

    /**
     * One step on every replica; {@code phaseEnd} (null in the warm-up) is awaited after each phase.
     */
    private static List<ReplicaBytes> runStep(
            ExecutorService threads, InfoNceLoss loss, INDArray[] a, INDArray[] b, CyclicBarrier phaseEnd)
            throws InterruptedException, ExecutionException {
        int n = a.length;
        List<Collectives> group = new InProcessGroup(n, Duration.ofHours(2)).replicas();
        List<Future<ReplicaBytes>> futures = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            futures.add(threads.submit(() -> replicaStep(group.get(rank), loss, a[rank], b[rank], phaseEnd)));
        }
        List<ReplicaBytes> bytes = new ArrayList<>();
        for (Future<ReplicaBytes> f : futures) {
            bytes.add(f.get());
        }
        return bytes;
    }

    private static ReplicaBytes replicaStep(
            Collectives c, InfoNceLoss loss, INDArray a, INDArray b, CyclicBarrier phaseEnd)
            throws InterruptedException, BrokenBarrierException {
        int own = (int) a.size(0);
        MemoryWorkspace ws = NativeMemory.scope(STEP_SCOPE);
        try (ws) {
            INDArray gatheredA = c.allGather(a);
            INDArray gatheredB = c.allGather(b);
            long gathered = ws.getThisCycleAllocations();
            await(phaseEnd);
            long t0 = System.nanoTime();
            INDArray gradA;
            INDArray gradB;
            long lossOutputs;
            try (LossResult result = loss.compute(gatheredA, gatheredB, new Shard(c.rank() * own, own))) {
                double lossSeconds = (System.nanoTime() - t0) / 1e9;
                lossOutputs = ws.getThisCycleAllocations() - gathered;
                await(phaseEnd);
                gradA = c.reduceScatter(result.gradient("a"));
                gradB = c.reduceScatter(result.gradient("b"));
                long reduceScattered = ws.getThisCycleAllocations() - gathered - lossOutputs;
                await(phaseEnd);
                if (gradA.size(0) != own || gradB.size(0) != own || !Double.isFinite(result.loss())) {
                    throw new IllegalStateException(
                            "replica " + c.rank() + ": gradients of " + gradA.size(0) + " rows, loss " + result.loss());
                }
                Map<String, Long> scopes = new LinkedHashMap<>();
                for (String id : LOSS_SCOPES) {
                    scopes.put(
                            id,
                            Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)
                                    ? Nd4j.getWorkspaceManager()
                                            .getWorkspaceForCurrentThread(id)
                                            .getMaxCycleAllocations()
                                    : 0L);
                }
                return new ReplicaBytes(gathered, lossOutputs, reduceScattered, scopes, lossSeconds);
            }
        } catch (RuntimeException e) {
            c.abort(e);
            if (phaseEnd != null) {
                phaseEnd.reset();
            }
            throw e;
        }
    }

    private static void await(CyclicBarrier phaseEnd) throws InterruptedException, BrokenBarrierException {
        if (phaseEnd != null) {
            phaseEnd.await();
        }
    }

    /**
     * The report's body; {@code marks} holds VmRSS and VmHWM at the end of each of {@link #PHASES}.
     */
    static String render(
            int replicas,
            int perReplica,
            int dim,
            ResidentMemory baseline,
            List<ResidentMemory> marks,
            List<ReplicaBytes> bytes,
            double seconds) {
        ResidentMemory end = marks.get(marks.size() - 1);
        long global = (long) replicas * perReplica;
        long rows = 2 * global;
        long peakKib = marks.stream().mapToLong(ResidentMemory::peakKib).max().orElseThrow();
        double extra = (peakKib - baseline.residentKib()) / 1024.0;
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "- %d replicas (threads) x %d images = global batch %d, D = %d, float32;"
                        + " InfoNceOptions.defaults() (temperature 0.1, normalised, tiles %s)%n",
                replicas,
                perReplica,
                global,
                dim,
                InfoNceOptions.defaults().tiling()));
        md.append(String.format(
                Locale.ROOT,
                "- One measured step, %.0f s wall (each replica's loss call: %.0f-%.0f s,"
                        + " the replicas' native threads sharing the cores)%n",
                seconds,
                bytes.stream().mapToDouble(ReplicaBytes::lossSeconds).min().orElseThrow(),
                bytes.stream().mapToDouble(ReplicaBytes::lossSeconds).max().orElseThrow()));
        md.append(String.format(
                Locale.ROOT,
                "- Resident before the step (heap, libraries, the replicas' %d-image" + " features): %.0f MiB%n%n",
                perReplica,
                baseline.residentKib() / 1024.0));
        md.append("## Whole process\n\n");
        md.append(String.format(
                Locale.ROOT,
                "- **Extra native memory (peak RSS above the level before the step):"
                        + " %.0f MiB**, %.0f MiB per replica; target under 1 GiB: **%s**%n",
                extra,
                extra / replicas,
                extra < 1024 ? "met" : "missed, by " + String.format(Locale.ROOT, "%.0f MiB", extra - 1024)));
        md.append(String.format(
                Locale.ROOT,
                "- Resident after the step, above the level before: %.0f MiB (the scopes'"
                        + " buffers, reallocated to this step's sizes, which a next step would reuse)%n",
                (end.residentKib() - baseline.residentKib()) / 1024.0));
        md.append(String.format(
                Locale.ROOT,
                "- A materialised score matrix of all %d rows (2 views x %d images) would"
                        + " be %d^2 x 4 bytes = %.1f GiB; each replica's own rows of it (%d x %d) %.1f GiB. The whole process"
                        + " peaked at %.2f GiB resident, so no replica allocated either.%n%n",
                rows,
                global,
                rows,
                4.0 * rows * rows / (1 << 30),
                2L * perReplica,
                rows,
                4.0 * 2 * perReplica * rows / (1 << 30),
                peakKib / (1024.0 * 1024)));
        md.append("| phase | peak in the phase above before, MiB | resident at its end above before, MiB |\n");
        md.append("|---|---:|---:|\n");
        for (int i = 0; i < marks.size(); i++) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f |%n",
                    PHASES.get(i),
                    (marks.get(i).peakKib() - baseline.residentKib()) / 1024.0,
                    (marks.get(i).residentKib() - baseline.residentKib()) / 1024.0));
        }
        md.append("\n## Per replica: what each part allocates (the scopes' cycle counters, mean over replicas)\n\n");
        md.append("| part | MiB per replica | x ").append(replicas).append(" replicas, MiB | arrays |\n");
        md.append("|---|---:|---:|---|\n");
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("gathered copies (all-gather of a and b)", mean(bytes, ReplicaBytes::gathered));
        parts.put(
                "loss scratch (scope infonce-loss)",
                mean(bytes, r -> r.lossScopes().get("infonce-loss")));
        parts.put(
                "score tile (scope contrastive-tile, largest)",
                mean(bytes, r -> r.lossScopes().get("contrastive-tile")));
        parts.put(
                "row-block statistics (scope contrastive-row-block)",
                mean(bytes, r -> r.lossScopes().get("contrastive-row-block")));
        parts.put("partial gradients out of the loss", mean(bytes, ReplicaBytes::lossOutputs));
        parts.put("reduce-scatter results", mean(bytes, ReplicaBytes::reduceScattered));
        long pd = (long) perReplica * dim * 4;
        long gd = global * dim * 4;
        Map<String, String> arrays = Map.of(
                "gathered copies (all-gather of a and b)",
                        String.format(Locale.ROOT, "2 x (%d, %d): %.0f MiB", global, dim, 2 * gd / MIB),
                "loss scratch (scope infonce-loss)",
                        String.format(
                                Locale.ROOT,
                                "z = concat(a, b) normalised in place and its"
                                        + " gradient dz, (%d, %d): %.0f MiB each; the normalisation's backward, dz * z and z (z . dz), the same"
                                        + " size each; q and dq, the shard's rows (%d, %d): %.0f MiB each; row norms and dots",
                                rows,
                                dim,
                                2 * gd / MIB,
                                2L * perReplica,
                                dim,
                                2 * pd / MIB),
                "score tile (scope contrastive-tile, largest)",
                        String.format(
                                Locale.ROOT,
                                "scores of %d rows x %d columns",
                                InfoNceOptions.defaults().tiling().rows(),
                                Math.min(
                                        rows, InfoNceOptions.defaults().tiling().columns())),
                "row-block statistics (scope contrastive-row-block)", "per-row max and sums of one row block",
                "partial gradients out of the loss",
                        String.format(
                                Locale.ROOT,
                                "gradients of all %d rows of a and b: 2 x" + " (%d, %d): %.0f MiB",
                                global,
                                global,
                                dim,
                                2 * gd / MIB),
                "reduce-scatter results",
                        String.format(
                                Locale.ROOT,
                                "this replica's rows: 2 x (%d, %d): %.0f MiB",
                                perReplica,
                                dim,
                                2 * pd / MIB));
        double total = 0;
        for (Map.Entry<String, Double> e : parts.entrySet()) {
            total += e.getValue();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f | %.0f | %s |%n",
                    e.getKey(),
                    e.getValue() / MIB,
                    e.getValue() * replicas / MIB,
                    arrays.get(e.getKey())));
        }
        md.append(String.format(Locale.ROOT, "| all parts | %.1f | %.0f | |%n%n", total / MIB, total * replicas / MIB));
        md.append(
                "The parts are the bytes of the arrays each scope created in the measured step. Not all are alive at"
                        + " once: the tile scope is reused by every tile, and the loss scratch is released when the loss returns,"
                        + " before the reduce-scatter; so the phases' measured peaks, not this sum, are the memory the step needs.\n");
        return md.toString();
    }

    private static double mean(List<ReplicaBytes> bytes, ToLongFunction<ReplicaBytes> f) {
        return bytes.stream().mapToLong(f).average().orElseThrow();
    }
}
