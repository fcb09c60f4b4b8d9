package dev.contrastive.bench.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * Records the {@link ConvShape} of every convolution the torch encoders run while a trace is on.
 */
public final class ConvTrace {

    private static final ThreadLocal<List<ConvShape>> ACTIVE = new ThreadLocal<>();

    private ConvTrace() {}

    /** Runs {@code pass} on this thread and returns the convolutions it ran, in order. */
    public static List<ConvShape> record(Runnable pass) {
        List<ConvShape> shapes = new ArrayList<>();
        ACTIVE.set(shapes);
        try {
            pass.run();
        } finally {
            ACTIVE.remove();
        }
        return shapes;
    }

    static void add(ConvShape shape) {
        List<ConvShape> shapes = ACTIVE.get();
        if (shapes != null) {
            shapes.add(shape);
        }
    }
}
