package dev.contrastive.core.loss;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * Samples the process's resident set size on a background thread and reports the peak above the
 * level at start. ND4J's native buffers and workspaces are not counted by JavaCPP's allocator
 * statistics, so RSS is the honest measure; run with a pre-touched, fixed-size heap so heap growth
 * does not show up as native memory.
 */
final class PeakResidentMemory implements AutoCloseable {

    private final long baseline;
    private final AtomicLong peak;
    private final Thread sampler;
    private volatile boolean running = true;

    PeakResidentMemory() {
        baseline = Pointer.physicalBytes();
        peak = new AtomicLong(baseline);
        sampler = new Thread(
                () -> {
                    while (running) {
                        peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Peak RSS above the baseline so far, in bytes. */
    long extraBytes() {
        peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
        return peak.get() - baseline;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.join();
    }
}
