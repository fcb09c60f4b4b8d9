package dev.contrastive.core.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loss value with its named parts and its gradients keyed by input name, whatever arrays hold
 * them: the fused losses' {@link LossResult}, and the implementations engine-bench compares them
 * with (ND4J and PyTorch arrays). {@link #close()} frees the gradients.
 *
 * @param <G> the gradient array type
 */
public abstract class LossValues<G> implements AutoCloseable {

    private final double loss;
    private final Map<String, Double> parts;
    private final Map<String, G> gradients;

    /** Copies the maps, keeping their order. */
    protected LossValues(double loss, Map<String, Double> parts, Map<String, G> gradients) {
        this.loss = loss;
        this.parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        this.gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
    }

    public double loss() {
        return loss;
    }

    /** Named terms whose sum is the loss (for example {@code r1->r5} and {@code reg}). */
    public Map<String, Double> parts() {
        return parts;
    }

    /** d loss / d input, keyed like the inputs. */
    public Map<String, G> gradients() {
        return gradients;
    }

    /** The gradient for one named input; fails naming the known inputs if there is none. */
    public G gradient(String input) {
        G g = gradients.get(input);
        if (g == null) {
            throw new IllegalArgumentException(
                    "no gradient named '" + input + "'; this result has " + gradients.keySet());
        }
        return g;
    }

    @Override
    public abstract void close();
}
