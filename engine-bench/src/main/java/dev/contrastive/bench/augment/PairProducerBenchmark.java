package dev.contrastive.bench.augment;

import dev.contrastive.augment.pipeline.PairBatch;
import dev.contrastive.augment.pipeline.PairProducer;
import dev.contrastive.augment.pipeline.ProducerOptions;
import dev.contrastive.augment.transform.Preset;
import dev.contrastive.augment.transform.Presets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * View pairs per second that {@link PairProducer} delivers with the AMDIM presets: the score is
 * pairs/s (one operation is one image's pair of views, batches of {@value #BATCH}).
 *
 * <p>{@code size} is the side of the views: 32 is AMDIM CIFAR (32 x 32 images, translate), 64 is
 * AMDIM STL-10 (96 x 96 images, RandomResizedCrop to 64 x 64, bicubic), the published pipelines at
 * those sizes. The consumer only takes and frees each batch, so this is the producer's ceiling; the
 * trainer's consumption is measured by the trainer.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests -pl engine-bench -am package
 * java -cp "engine-bench/target/engine-bench.jar:engine-bench/target/lib-cpu/*" \
 *     org.openjdk.jmh.Main PairProducerBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class PairProducerBenchmark extends ThroughputBenchmark {

    /** AMDIM's training batch size. */
    static final int BATCH = 200;

    /** Ten batches an epoch: epoch boundaries, where the prefetch window drains, are measured too. */
    static final int IMAGES = 10 * BATCH;

    @Param({"32", "64"})
    int size;

    @Param({"1", "2"})
    int threads;

    private SyntheticDataset dataset;
    private PairProducer producer;

    @Setup
    public void setUp() {
        Preset preset = switch (size) {
            case 32 -> Presets.amdimCifar();
            case 64 -> Presets.amdimStl();
            default -> throw new IllegalArgumentException("size must be 32 or 64, got " + size);
        };
        dataset = new SyntheticDataset(IMAGES, 3, size == 32 ? 32 : 96, 1);
        producer = new PairProducer(
                dataset, preset.pairs(), ProducerOptions.of(BATCH, 1).withThreads(threads));
        start(producer);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void pairs(Blackhole blackhole) {
        try (PairBatch batch = nextBatch()) {
            blackhole.consume(batch.viewA());
            blackhole.consume(batch.viewB());
        }
    }

    @TearDown
    public void tearDown() {
        producer.close();
        dataset.close();
    }
}
