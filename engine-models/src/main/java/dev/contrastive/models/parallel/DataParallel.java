package dev.contrastive.models.parallel;

import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.core.parallel.CollectiveException;
import dev.contrastive.core.parallel.Collectives;
import dev.contrastive.core.parallel.InProcessGroup;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.StepChecks;
import dev.contrastive.models.method.StepOutcome;
import dev.contrastive.models.method.TrainingDivergedException;
import dev.contrastive.models.registry.Methods;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One global batch trained by several replicas and in micro-batches, equal to one replica training
 * the whole batch at once: the same loss, the same gradients, so the same weights after each update
 * (up to float rounding, and with batch norm's batch statistics per replica and per micro-batch, as
 * in the published methods; {@link Options#frozenBatchNorm} uses the running statistics instead,
 * which makes the equality exact).
 *
 * <p>A step, per replica r of N (each a thread with its own method instance over the same weights):
 *
 * <ol>
 *   <li>encode its shard, rows [r B, (r + 1) B) of the global batch of N B: one forward, or, with
 *       micro-batches of M, one forward per micro-batch in a scope of its own, keeping only the
 *       maps the loss reads (GradCache: the activations of a micro-batch are dropped after it);
 *   <li>all-gather every map, so its anchors meet the negatives of the whole batch;
 *   <li>the loss terms of its own anchors against all N B images ({@link Method#loss} on its {@link
 *       Shard}), which give partial gradients for every gathered row;
 *   <li>reduce-scatter them: each replica gets the full gradient of its own rows;
 *   <li>back-propagate (with micro-batches: each micro-batch encoded again, now keeping
 *       activations, and back-propagated with its rows of the gradient);
 *   <li>all-reduce the parameter gradients (a sum: the loss terms are already normalised by the
 *       global batch, so the replicas' gradients add up to the whole batch's).
 * </ol>
 *
 * Replica 0's method is the caller's: after {@link #forwardBackward} it holds the global batch's
 * gradients, the caller's optimiser updates it, and {@link #syncWeights()} copies its weights to
 * the other replicas before the next step.
 *
 * <p>A replica that fails (a NaN, an exception) stops every replica: the step throws one exception
 * naming the replica and the cause; a replica that does not arrive within {@link Options#timeout}
 * makes the others fail naming the timeout. Not thread-safe itself; close it to stop its threads
 * and free the extra replicas.
 *
 * <p><b>One replica per process.</b> Given a process group's {@link Collectives} (NCCL, one process
 * per GPU), this instance is the one replica {@code process.rank()} of {@code process.size()}:
 * every process passes the same global batch and encodes its own rows, and the step's outcome
 * (loss, parts, accuracy, probe features) is combined across the processes, so every process gets
 * the one global outcome. Weights follow rank 0's ({@link #syncWeights} broadcasts them).
 */
public final class DataParallel implements AutoCloseable {

    /**
     * How the global batch is split.
     *
     * @param replicas replicas in this process, in [1, 64]
     * @param microBatch images per micro-batch of each replica, 0 for none (the replica's whole shard
     *     at once); must divide the replica's shard
     * @param frozenBatchNorm normalise with batch norm's running statistics and leave them unchanged,
     *     instead of each replica's (or micro-batch's) batch statistics: the steps then equal one
     *     replica's exactly
     * @param timeout how long a replica waits for the others in one collective before failing
     */
    public record Options(int replicas, int microBatch, boolean frozenBatchNorm, Duration timeout) {

        public Options {
            if (replicas < 1 || replicas > 64) {
                throw new IllegalArgumentException("dataParallel.replicas must be in [1, 64], got " + replicas);
            }
            if (microBatch < 0) {
                throw new IllegalArgumentException(
                        "dataParallel.microBatch must be >= 0 (0 = none), got " + microBatch);
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("dataParallel.timeout must be positive, got " + timeout);
            }
        }

        /**
         * {@code replicas} replicas, no micro-batches, batch statistics per replica, a 10-minute
         * timeout.
         */
        public static Options replicas(int replicas) {
            return new Options(replicas, 0, false, Duration.ofMinutes(10));
        }

        public Options withMicroBatch(int m) {
            return new Options(replicas, m, frozenBatchNorm, timeout);
        }

        public Options withFrozenBatchNorm(boolean f) {
            return new Options(replicas, microBatch, f, timeout);
        }

        public Options withTimeout(Duration t) {
            return new Options(replicas, microBatch, frozenBatchNorm, t);
        }
    }

    private static final String STEP_SCOPE = "train-step";
    private static final String MICRO_SCOPE = "micro-batch";

    private final Options options;

    /** The process group when this process is one replica of it; null for in-process replicas. */
    private final Collectives process;

    private final List<Method> replicas = new ArrayList<>();
    private final List<ExecutorService> threads = new ArrayList<>();
    private List<Collectives> handles;

    /**
     * @param primary replica 0, the caller's method (not closed here); the others are new instances
     *     of its config with its weights and running statistics
     */
    public DataParallel(Method primary, Options options) {
        this(primary, options, null);
    }

    /**
     * One replica per process: this process is replica {@code process.rank()} of the group.
     *
     * @param primary this process's method (not closed here)
     * @param options one replica ({@code process} provides the others), and the micro-batch
     * @param process the process group's collectives (not closed here), or null for in-process
     *     replicas
     * @throws IllegalArgumentException if {@code options} asks for in-process replicas besides a
     *     process group
     */
    public DataParallel(Method primary, Options options, Collectives process) {
        if (process != null && options.replicas() != 1) {
            throw new IllegalArgumentException("a process group makes each process one replica: in-process replicas ("
                    + options.replicas()
                    + ") do not combine with it; use 1");
        }
        this.options = options;
        this.process = process;
        replicas.add(primary);
        for (int r = 1; r < options.replicas(); r++) {
            Method m = Methods.create(primary.config(), primary.parameters().dataType(), r);
            m.parameters().flatValues().assign(primary.parameters().flatValues());
            m.parameters().flatBuffers().assign(primary.parameters().flatBuffers());
            replicas.add(m);
        }
        for (int r = 0; r < options.replicas(); r++) {
            int rank = r;
            threads.add(Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, "contrastive-replica-" + rank);
                t.setDaemon(true);
                return t;
            }));
        }
        newGroup();
    }

    public Options options() {
        return options;
    }

    /**
     * One global batch: on return replica 0's (the caller's) method holds the whole batch's parameter
     * gradients; nothing is updated.
     *
     * @param viewA the global batch's first views, one row per image (replica r takes the images [r
     *     B, (r + 1) B))
     * @param viewB the second views, same shape; ignored (may be null) for one-view methods
     * @throws IllegalArgumentException if the global batch does not divide among the replicas, or a
     *     replica's shard among its micro-batches
     * @throws TrainingDivergedException naming the replica and the tensor, if one is not finite
     */
    public StepOutcome forwardBackward(long step, INDArray viewA, INDArray viewB, long lossSeed) {
        return forwardBackward(step, Math.toIntExact(viewA.size(0)), viewA, viewB, lossSeed);
    }

    /**
     * As {@link #forwardBackward(long, INDArray, INDArray, long)} for views of {@code images} images
     * whose rows come in equal consecutive groups per image: CPC's patches, (images * 49, C, 8, 8).
     *
     * @throws IllegalArgumentException if the views' rows are not a multiple of {@code images}
     */
    public StepOutcome forwardBackward(long step, int images, INDArray viewA, INDArray viewB, long lossSeed) {
        if (images < 1 || viewA.size(0) % images != 0) {
            throw new IllegalArgumentException(
                    "views of " + viewA.size(0) + " rows are not " + images + " images of equal row groups");
        }
        int global = images;
        int n = process == null ? options.replicas() : process.size();
        if (global % n != 0) {
            throw new IllegalArgumentException("the global batch of "
                    + global
                    + " images does not divide among "
                    + n
                    + (process == null ? " replicas" : " processes")
                    + ": use a batch that is a multiple of "
                    + n);
        }
        int shard = global / n;
        int micro = options.microBatch() == 0 ? shard : options.microBatch();
        if (shard % micro != 0) {
            throw new IllegalArgumentException("each replica's "
                    + shard
                    + " images do not divide into micro-batches of "
                    + micro
                    + ": use a micro-batch that divides "
                    + shard);
        }
        List<Future<Partial>> futures = new ArrayList<>();
        for (int r = 0; r < options.replicas(); r++) {
            int local = r;
            int rank = handles.get(r).rank();
            futures.add(threads.get(r)
                    .submit(() -> replicaStep(
                            local,
                            step,
                            images(viewA, rank, shard, global),
                            viewB == null ? null : images(viewB, rank, shard, global),
                            shard,
                            micro,
                            lossSeed)));
        }
        List<Partial> partials = new ArrayList<>();
        RuntimeException first = null;
        for (Future<Partial> f : futures) {
            try {
                partials.add(f.get());
            } catch (ExecutionException e) {
                first = first == null ? rootFailure(step, e.getCause()) : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = first == null ? new IllegalStateException("interrupted in step " + step, e) : first;
            }
        }
        if (first != null) {
            newGroup();
            throw first;
        }
        return combine(step, partials);
    }

    /**
     * Copies replica 0's weights and batch-norm statistics to the other replicas: after the caller
     * loads a checkpoint into it.
     */
    public void syncAll() {
        syncWeights();
        INDArray buffers = replicas.get(0).parameters().flatBuffers();
        if (process != null) {
            process.broadcast(buffers, 0);
        }
        for (int r = 1; r < replicas.size(); r++) {
            replicas.get(r).parameters().flatBuffers().assign(buffers);
        }
    }

    /**
     * Copies replica 0's weights (after the caller's update) to the other replicas. Across processes,
     * rank 0's are broadcast: every process applied the same update to the same all-reduced
     * gradients, but a GPU of another model may round an update differently, and the processes must
     * not drift apart.
     */
    public void syncWeights() {
        INDArray values = replicas.get(0).parameters().flatValues();
        if (process != null) {
            process.broadcast(values, 0);
        }
        for (int r = 1; r < replicas.size(); r++) {
            replicas.get(r).parameters().flatValues().assign(values);
        }
    }

    /** What one replica's step gave: its loss terms and its view-A probe features, detached. */
    private record Partial(
            double loss, Map<String, Double> parts, long positives, double correct, INDArray probeFeatures) {}

    private Partial replicaStep(
            int local, long step, INDArray viewA, INDArray viewB, int shard, int micro, long lossSeed) {
        Collectives c = handles.get(local);
        Method method = replicas.get(local);
        int rank = c.rank();
        boolean training = !options.frozenBatchNorm();
        try (MemoryWorkspace ws = NativeMemory.scope(STEP_SCOPE)) {
            method.parameters().zeroGrad();
            List<INDArray> probe = new ArrayList<>();
            ShardPass pass = new ShardPass(method, step, viewA, viewB, shard, micro, training);
            Map<String, INDArray> maps = encode(pass, probe);
            Map<String, INDArray> gathered = new LinkedHashMap<>();
            maps.forEach((name, map) -> gathered.put(name, c.allGather(map)));
            Map<String, INDArray> own = new LinkedHashMap<>();
            Partial partial;
            try (LossResult r = method.loss(gathered, new Shard(rank * shard, shard), lossSeed)) {
                for (String name : maps.keySet()) {
                    own.put(name, c.reduceScatter(r.gradient(name)));
                }
                partial = partial(r, probe);
            }
            backward(pass, own);
            c.allReduceSum(method.parameters().flatGrads());
            return process == null ? partial : acrossProcesses(c, partial);
        } catch (CollectiveException e) {
            throw e;
        } catch (RuntimeException e) {
            c.abort(e);
            throw e;
        }
    }

    /**
     * The maps of this replica's shard: one forward, or one per micro-batch in a scope of its own
     * whose activations are dropped after its maps are copied into the step's scope.
     */
    private Map<String, INDArray> encode(ShardPass pass, List<INDArray> probe) {
        Method method = pass.method();
        if (pass.micro() == pass.shard()) {
            Map<String, INDArray> maps = method.forward(pass.step(), pass.viewA(), pass.viewB(), pass.training());
            probe.add(detached(method.probeFeatures()));
            return maps;
        }
        MemoryWorkspace outer = NativeMemory.current();
        Map<String, List<INDArray>> parts = new LinkedHashMap<>();
        for (int index = 0; index < pass.microBatches(); index++) {
            try (MemoryWorkspace inner = NativeMemory.scope(MICRO_SCOPE)) {
                Map<String, INDArray> maps = pass.forwardMicroBatch(index);
                try (MemoryWorkspace out = NativeMemory.outputsTo(outer)) {
                    maps.forEach((name, map) ->
                            parts.computeIfAbsent(name, k -> new ArrayList<>()).add(map.dup()));
                }
                probe.add(detached(method.probeFeatures()));
            }
        }
        Map<String, INDArray> maps = new LinkedHashMap<>();
        parts.forEach((name, list) -> maps.put(name, Nd4j.concat(0, list.toArray(INDArray[]::new))));
        return maps;
    }

    /**
     * Back-propagates the shard's map gradients; with micro-batches, each micro-batch is encoded
     * again (with activations) and back-propagated with its rows, and batch norm's running
     * statistics, which the first pass already updated, are put back after each second forward.
     */
    private void backward(ShardPass pass, Map<String, INDArray> gradients) {
        Method method = pass.method();
        if (pass.micro() == pass.shard()) {
            method.backward(gradients);
            return;
        }
        INDArray buffers = method.parameters().flatBuffers();
        INDArray statistics = buffers.dup();
        for (int index = 0; index < pass.microBatches(); index++) {
            try (MemoryWorkspace inner = NativeMemory.scope(MICRO_SCOPE)) {
                pass.forwardMicroBatch(index);
                buffers.assign(statistics);
                Map<String, INDArray> slice = new LinkedHashMap<>();
                for (Map.Entry<String, INDArray> g : gradients.entrySet()) {
                    slice.put(g.getKey(), rows(g.getValue(), index, pass.micro()));
                }
                method.backward(slice);
            }
        }
    }

    /**
     * One replica's share of a step: its method, the views of its {@code shard} images, and the
     * micro-batch size it encodes them in ({@code micro == shard}: one pass, no micro-batches).
     */
    private record ShardPass(
            Method method, long step, INDArray viewA, INDArray viewB, int shard, int micro, boolean training) {

        int microBatches() {
            return shard / micro;
        }

        /** The forward of micro-batch {@code index}: its rows of both views. */
        Map<String, INDArray> forwardMicroBatch(int index) {
            return method.forward(
                    step,
                    images(viewA, index, micro, shard),
                    viewB == null ? null : images(viewB, index, micro, shard),
                    training);
        }
    }

    /**
     * Every process's terms summed and every process's probe features in rank order, so that each
     * process's {@link #combine} sees the whole global batch as one process with all replicas would.
     */
    private static Partial acrossProcesses(Collectives c, Partial p) {
        List<String> names = new ArrayList<>(p.parts().keySet());
        double[] values = new double[names.size() + 3];
        values[0] = p.loss();
        for (int i = 0; i < names.size(); i++) {
            values[i + 1] = p.parts().get(names.get(i));
        }
        values[names.size() + 1] = p.positives();
        values[names.size() + 2] = p.correct();
        double[] sums = c.allReduceSum(values);
        Map<String, Double> parts = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            parts.put(names.get(i), sums[i + 1]);
        }
        INDArray features = detached(c.allGather(p.probeFeatures()));
        return new Partial(sums[0], parts, Math.round(sums[names.size() + 1]), sums[names.size() + 2], features);
    }

    /**
     * The step's result from every replica's terms: sums, and diagnostics weighted by their counts.
     */
    private StepOutcome combine(long step, List<Partial> partials) {
        double loss = 0;
        Map<String, Double> parts = new LinkedHashMap<>();
        long positives = 0;
        double correct = 0;
        List<INDArray> probe = new ArrayList<>();
        for (Partial p : partials) {
            loss += p.loss();
            p.parts().forEach((name, v) -> parts.merge(name, v, Double::sum));
            positives += p.positives();
            correct += p.correct();
            probe.add(p.probeFeatures());
        }
        StepChecks.requireFiniteLoss(step, loss, parts);
        double gradNorm = StepChecks.finiteGradNorm(step, replicas.get(0).parameters());
        INDArray features = probe.size() == 1 ? probe.get(0) : Nd4j.concat(0, probe.toArray(INDArray[]::new));
        return new StepOutcome(loss, parts, positives == 0 ? Double.NaN : correct / positives, gradNorm, features);
    }

    private static Partial partial(LossResult r, List<INDArray> probe) {
        INDArray features = probe.size() == 1 ? probe.get(0) : Nd4j.concat(0, probe.toArray(INDArray[]::new));
        return new Partial(
                r.loss(), r.parts(), r.positives(), r.diagnostics().accuracy() * r.positives(), detached(features));
    }

    /** Rows [index * size, (index + 1) * size) of {@code x}, a view. */
    private static INDArray rows(INDArray x, int index, int size) {
        return x.get(NDArrayIndex.interval((long) index * size, (long) (index + 1) * size));
    }

    /**
     * The rows of images [index * size, (index + 1) * size) of {@code x}, which holds {@code images}
     * images.
     */
    private static INDArray images(INDArray x, int index, int size, int images) {
        long perImage = x.size(0) / images;
        return rows(x, index, Math.toIntExact(size * perImage));
    }

    /** A copy outside every scope, valid after this thread's scopes are reused. */
    private static INDArray detached(INDArray x) {
        try (MemoryWorkspace none = NativeMemory.outputsTo(null)) {
            return x.dup();
        }
    }

    /**
     * The exception that explains a failed step: a replica's own failure (named), rather than the
     * collective errors it caused in the others.
     */
    private RuntimeException rootFailure(long step, Throwable cause) {
        int replica = -1;
        Throwable root = cause;
        if (cause instanceof CollectiveException c && c.failedReplica() >= 0) {
            replica = c.failedReplica();
            root = c.getCause();
        }
        if (root instanceof TrainingDivergedException d) {
            String who = replica >= 0 ? "replica " + replica + ": " : "";
            return new TrainingDivergedException(d.step(), who + d.tensor(), "has NaN or infinite values");
        }
        if (root instanceof RuntimeException e) {
            return replica >= 0
                    ? new IllegalStateException(
                            "replica " + replica + " failed in step " + step + ": " + e.getMessage(), e)
                    : e;
        }
        return new IllegalStateException("a replica failed in step " + step + ": " + root, root);
    }

    /**
     * A fresh rendezvous: after a failure the old one is broken. A process group cannot be remade by
     * one process; after a failure the job ends, as its other processes' steps fail too.
     */
    private void newGroup() {
        if (process == null) {
            handles = new InProcessGroup(options.replicas(), options.timeout()).replicas();
        } else {
            handles = List.of(process);
        }
    }

    /**
     * Stops the replicas' threads and closes the replicas this instance made (not the caller's, nor
     * the process group).
     */
    @Override
    public void close() {
        threads.forEach(ExecutorService::shutdownNow);
        for (int r = 1; r < replicas.size(); r++) {
            replicas.get(r).close();
        }
    }
}
