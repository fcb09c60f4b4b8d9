package dev.contrastive.models.train;

/**
 * When and on how much of the validation set the trainer validates. Validation runs only when the
 * trainer is given validation data ({@link Trainer#validateOn}).
 *
 * @param every steps between validations, in [0, 10^9]; 0 validates at the end of every epoch. The
 *     last step of a run is always validated.
 * @param maxBatches validation batches per validation, in [0, 10^6]; 0 uses the whole set. The
 *     batches are the same every time (a fixed seed and order), so successive values compare.
 * @param earlyStopping when to stop on the validation metrics
 */
public record ValidationOptions(long every, int maxBatches, EarlyStopping earlyStopping) {

    public ValidationOptions {
        if (every < 0 || every > 1_000_000_000L) {
            throw new IllegalArgumentException(
                    "validation.every must be in [0, 1000000000] (0 = each epoch end), got " + every);
        }
        if (maxBatches < 0 || maxBatches > 1_000_000) {
            throw new IllegalArgumentException(
                    "validation.maxBatches must be in [0, 1000000] (0 = all), got " + maxBatches);
        }
        if (earlyStopping == null) {
            throw new IllegalArgumentException("validation.earlyStopping must be set (EarlyStopping.off() for none)");
        }
    }

    /** At each epoch end, on the whole validation set, without early stopping. */
    public static ValidationOptions defaults() {
        return new ValidationOptions(0, 0, EarlyStopping.off());
    }
}
