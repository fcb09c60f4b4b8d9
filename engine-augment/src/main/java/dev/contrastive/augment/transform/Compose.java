package dev.contrastive.augment.transform;

import java.util.List;

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
        ImageBatch current = batch;
        for (Transform step : steps) {
            current = step.apply(current);
        }
        return current;
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        ItemShape current = input;
        for (Transform step : steps) {
            current = step.outputShape(current);
        }
        return current;
    }
}
