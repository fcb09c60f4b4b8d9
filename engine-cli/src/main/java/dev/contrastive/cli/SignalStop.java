package dev.contrastive.cli;

import dev.contrastive.models.train.TrainingListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a training run cleanly on SIGTERM or SIGINT: SLURM sends SIGTERM before it kills a job at
 * its time limit or on preemption, and the job is requeued to resume. A shutdown hook (which the
 * JVM runs on both signals) asks the trainer to stop after the current step; the trainer writes a
 * checkpoint and returns; the hook waits for that, up to {@link #GRACE}, and the JVM then exits
 * with 143 (SIGTERM) or 130 (SIGINT). The SLURM template sends the signal early enough for a step
 * and a checkpoint ({@code --signal=TERM@120}).
 */
final class SignalStop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("contrastive.train");

    /** How long the hook holds the JVM for the current step and its checkpoint. */
    static final long GRACE_SECONDS = 110;

    private volatile boolean requested;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onSignal, "contrastive-signal-stop");

    private SignalStop() {}

    /** Registers the hook; {@link #close()} unregisters it once training is over. */
    static SignalStop install() {
        SignalStop s = new SignalStop();
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    private void onSignal() {
        requested = true;
        LOG.info("signal received: stopping after the current step, with a checkpoint");
        try {
            if (!finished.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn(
                        "no checkpoint within {} s of the signal; exiting, the run resumes from its last checkpoint",
                        GRACE_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The listener that asks the trainer to stop once a signal has come. */
    TrainingListener listener() {
        return new TrainingListener() {
            @Override
            public boolean stopRequested() {
                return requested;
            }
        };
    }

    /**
     * Training is over (its summary printed): lets a waiting hook end the JVM, or unregisters the
     * hook.
     */
    @Override
    public void close() {
        finished.countDown();
        if (!requested) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // A signal arrived after the last step: the hook returns at once since finished is counted
                // down.
            }
        }
    }
}
