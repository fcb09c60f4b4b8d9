package dev.contrastive.augment.transform;

import java.util.List;
import java.util.function.BiFunction;

/**
 * Transforms applied in order, each to the output of the one before.
 *
 * @param steps the transforms, none null; empty is the identity
 */
public record Compose(List<Transform> steps) implements Transform {

    public Compose {
        if (steps == null) {
            throw new IllegalArgumentException("compose.steps must not be null");
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) == null) {
                throw new IllegalArgumentException("compose.steps[" + i + "] must not be null");
            }
        }
        steps = List.copyOf(steps);
    }

    public static Compose of(Transform... steps) {
        return new Compose(List.of(steps));
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        return throughEachStep(batch, Transform::apply);
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        return throughEachStep(input, Transform::outputShape);
    }

    /** {@code input} passed through {@code stage} of every step in order, each on the one before's result. */
    private <T> T throughEachStep(T input, BiFunction<Transform, T, T> stage) {
        T current = input;
        for (Transform step : steps) {
            current = stage.apply(step, current);
        }
        return current;
    }
}
