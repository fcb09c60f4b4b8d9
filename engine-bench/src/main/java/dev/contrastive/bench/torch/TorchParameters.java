package dev.contrastive.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.models.nn.Parameters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A PyTorch copy of one of our {@link Parameters}: the same names (torch state_dict style), shapes
 * and float32 values, trainable tensors as autograd leaves, buffers (batch-norm running statistics)
 * without gradients. Copying our initial weights makes the two sides compute the same function, so
 * the benchmark compares implementations, not initialisations, and a test can compare outputs.
 */
public final class TorchParameters {

    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    private final Map<String, NDArray> all = new LinkedHashMap<>();

    /** Copies every tensor of {@code source} into arrays owned by {@code manager}. */
    public TorchParameters(Parameters source, NDManager manager) {
        for (Parameters.Tensor t : source.all()) {
            float[] values = t.value().castTo(DataType.FLOAT).data().asFloat();
            NDArray x = manager.create(values, new Shape(t.shape()));
            if (t.trainable()) {
                x.setRequiresGradient(true);
                trainable.put(t.name(), x);
            }
            all.put(t.name(), x);
        }
    }

    /** The tensor called {@code name}, or an exception naming it. */
    public NDArray get(String name) {
        NDArray x = all.get(name);
        if (x == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'; the model declares " + all.keySet());
        }
        return x;
    }

    /** Trainable tensors by name, in declaration order. */
    public Map<String, NDArray> trainable() {
        return trainable;
    }

    /** Every tensor, trainable or buffer. */
    public Collection<NDArray> all() {
        return all.values();
    }

    /**
     * Names of the tensors that hold a NaN or an infinity, for a failure message that has to say
     * where a non-finite loss came from: parameters and buffers by name, and {@code grad(name)} for a
     * trainable tensor whose gradient does. {@link TorchAdam} zeroes gradients by multiplying them by
     * 0, which leaves a NaN or infinite entry NaN, so after a step this still shows which gradients
     * of the last backward pass were not finite. Copies every tensor to the JVM: for diagnostics, not
     * for a timed path.
     */
    public List<String> nonFinite() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : all.entrySet()) {
            if (!finite(e.getValue())) {
                names.add(e.getKey());
            }
        }
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            try (NDArray g = e.getValue().getGradient()) {
                if (!finite(g)) {
                    names.add("grad(" + e.getKey() + ")");
                }
            }
        }
        return names;
    }

    private static boolean finite(NDArray x) {
        for (float v : x.toFloatArray()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Number of scalars in the trainable tensors. */
    public long count() {
        return trainable.values().stream().mapToLong(NDArray::size).sum();
    }
}
