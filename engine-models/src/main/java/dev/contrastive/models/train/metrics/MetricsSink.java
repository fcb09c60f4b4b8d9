package dev.contrastive.models.train.metrics;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;

/** A destination for named scalars, one call per training step (or per epoch, at its last step). */
public interface MetricsSink extends Closeable {

    /**
     * Records {@code scalars} at {@code step}. Implementations make the record durable against the
     * process being killed (flushed to the operating system) before returning.
     *
     * @param step the global optimiser step the values belong to
     * @param scalars name to value; iteration order decides the column order where a sink has one
     * @throws IOException if the record could not be written
     * @throws IllegalArgumentException if a name is not valid (see the package documentation)
     */
    void log(long step, Map<String, Double> scalars) throws IOException;
}
