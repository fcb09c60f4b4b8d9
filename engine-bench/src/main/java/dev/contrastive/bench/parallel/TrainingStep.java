package dev.contrastive.bench.parallel;

import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.bench.RandomInputs;
import dev.contrastive.core.memory.NativeMemory;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodConfig;
import dev.contrastive.models.method.StepOutcome;
import dev.contrastive.models.parallel.DataParallel;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.optim.Adam;
import dev.contrastive.models.train.optim.AdamOptions;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training step as the Trainer runs it, for one {@link Split}: forward, loss and backward
 * (plain or through DataParallel), the Adam update at AdamOptions.amdim()'s full rate and, with
 * DataParallel, the weights copied to the other replicas; all inside one {@code
 * NativeMemory.scope("train-step")}. Each instance has its own method (same config and seed),
 * optimiser and replicas.
 */
final class TrainingStep implements AutoCloseable {

    static final long SEED = 20261206L;

    /** The Trainer's per-step scope. */
    static final String STEP_SCOPE = "train-step";

    private static final double LR = AdamOptions.amdim().lr();

    private final Split split;
    private final Method method;
    private final Adam adam;
    private final DataParallel parallel;
    private long step;

    TrainingStep(MethodConfig config, Split split) {
        this.split = split;
        this.method = Methods.create(config, SEED);
        this.adam = new Adam(AdamOptions.amdim(), method.parameters());
        this.parallel = split.plain()
                ? null
                : new DataParallel(
                        method, DataParallel.Options.replicas(split.replicas()).withMicroBatch(split.microBatch()));
    }

    /** The small AMDIM ("small" encoder: ndf 32, n_rkhs 256, depth 1) on 1 x 32 x 32 images. */
    static MethodConfig smallAmdim() {
        return Methods.get("amdim").defaultConfig(ItemShape.image(1, 32, 32), "small");
    }

    /** A fixed (batch, 1, 32, 32) float32 view of seeded standard-normal pixels. */
    static INDArray view(int batch, long seed) {
        long[] shape = {batch, 1, 32, 32};
        return RandomInputs.nd4j(RandomInputs.gaussian(seed, RandomInputs.count(shape)), shape);
    }

    Split split() {
        return split;
    }

    /** One step on the given views; returns its loss. */
    double run(INDArray viewA, INDArray viewB) {
        try (MemoryWorkspace ws = NativeMemory.scope(STEP_SCOPE)) {
            long i = step++;
            StepOutcome o = parallel == null
                    ? method.forwardBackward(i, viewA, viewB, SEED + i)
                    : parallel.forwardBackward(i, viewA, viewB, SEED + i);
            adam.step(method.parameters(), LR);
            if (parallel != null) {
                parallel.syncWeights();
            }
            return o.loss();
        }
    }

    @Override
    public void close() {
        if (parallel != null) {
            parallel.close();
        }
        method.close();
    }
}
