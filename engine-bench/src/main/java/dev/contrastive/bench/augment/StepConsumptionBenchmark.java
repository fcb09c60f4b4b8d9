package dev.contrastive.bench.augment;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.FashionMnist;
import dev.contrastive.augment.pipeline.PairBatch;
import dev.contrastive.augment.pipeline.PairProducer;
import dev.contrastive.augment.pipeline.ProducerOptions;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import java.io.IOException;
import org.nd4j.linalg.api.buffer.DataType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * View pairs per second that one training step of the default (small AMDIM, Fashion-MNIST) encoder
 * consumes, beside what {@link PairProducerBenchmark} delivers: the producer must stay at least
 * five times ahead so it never starves the trainer.
 *
 * <p>A step here is what the trainer's step costs before the optimiser update: the Fashion-MNIST
 * preset's next batch of view pairs, both views through the encoder, the fused AMDIM loss, and both
 * backward passes. Pitfall: the encoder's per-step arrays give their native memory back only at
 * garbage collection in ND4J 1.0.0-M2.1, so the step includes the {@code System.gc()} a trainer
 * must run; leaving it out would time a step that cannot be sustained.
 *
 * <pre>
 * java -cp "engine-bench/target/engine-bench.jar:engine-bench/target/lib-cpu/*" \
 *     org.openjdk.jmh.Main StepConsumptionBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 4, time = 5)
public class StepConsumptionBenchmark extends ThroughputBenchmark {

    /** The small configuration's CPU batch size. */
    static final int BATCH = 64;

    private Dataset dataset;
    private PairProducer producer;
    private AmdimEncoder viewA;
    private AmdimEncoder viewB;
    private AmdimLoss loss;
    private SourceSampler sampler;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dataset = FashionMnist.train();
        producer = new PairProducer(
                dataset,
                Presets.byName("fashion-mnist").pairs(),
                ProducerOptions.of(BATCH, 1).withThreads(1));
        start(producer);
        viewA = AmdimEncoder.create(AmdimConfig.small(1), DataType.FLOAT, 1);
        viewB = viewA.replica();
        loss = new AmdimLoss(AmdimOptions.defaults());
        sampler = SourceSampler.random(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        producer.close();
        viewB.close();
        viewA.close();
        dataset.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void step(Blackhole bh) {
        try (PairBatch batch = nextBatch()) {
            viewA.parameters().zeroGrad();
            try (LossResult r = loss.compute(
                    viewA.forward(batch.viewA(), true).asMap(),
                    viewB.forward(batch.viewB(), true).asMap(),
                    sampler)) {
                viewA.backward(r.gradient("a_r1"), r.gradient("a_r5"), r.gradient("a_r7"));
                viewB.backward(r.gradient("b_r1"), r.gradient("b_r5"), r.gradient("b_r7"));
                bh.consume(r.loss());
            }
        }
        System.gc();
    }
}
