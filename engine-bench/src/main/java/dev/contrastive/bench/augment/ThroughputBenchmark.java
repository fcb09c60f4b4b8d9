package dev.contrastive.bench.augment;

import dev.contrastive.augment.pipeline.PairBatch;
import dev.contrastive.augment.pipeline.PairProducer;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * What the pipeline benchmarks measure alike: batches per second from a {@link PairProducer}, epoch
 * after epoch, in one fork with a 3 GB heap (JMH reads these annotations from the superclass).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx3g"})
abstract class ThroughputBenchmark {

    private PairProducer producer;
    private Iterator<PairBatch> batches;
    private int epoch;

    /** Starts taking batches from epoch 0 of {@code producer}. */
    void start(PairProducer producer) {
        this.producer = producer;
        epoch = 0;
        batches = producer.epoch(epoch);
    }

    /** The next batch; an epoch's end starts the next, so epoch boundaries are measured too. */
    PairBatch nextBatch() {
        if (!batches.hasNext()) {
            batches = producer.epoch(++epoch);
        }
        return batches.next();
    }
}
