package dev.contrastive.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * What LossBenchmark, TileBenchmark and TrainBenchmark time alike: average time in milliseconds,
 * one fork per method and parameter set with {@link ForkJvm}'s arguments. JMH reads its annotations
 * from superclasses, and a method's own {@code @Fork} (another launcher, say) keeps these arguments
 * unless it names its own.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {
            ForkJvm.HEAP_MIN,
            ForkJvm.HEAP_MAX,
            ForkJvm.NO_BYTE_LIMIT,
            ForkJvm.NO_PHYSICAL_LIMIT,
            ForkJvm.DJL_OFFLINE,
            ForkJvm.QUIET_LOG
        })
abstract class ForkedBenchmark {}
