package dev.contrastive.models.method;

/**
 * A NaN or infinity in the encoder's outputs, the loss or a gradient. Training stops before the
 * update, so the parameters and the last checkpoint are those of the last good step.
 */
public final class TrainingDivergedException extends RuntimeException {

    private final long step;
    private final String tensor;

    public TrainingDivergedException(long step, String tensor, String detail) {
        super("training diverged at step "
                + step
                + ": "
                + tensor
                + " "
                + detail
                + "; parameters and checkpoints are left at the last good step");
        this.step = step;
        this.tensor = tensor;
    }

    /** The step that produced the non-finite value, from 1. */
    public long step() {
        return step;
    }

    /**
     * The tensor holding it: "encoder output a_r1" (view A's r1, etc.), "loss", "loss part r1->r5",
     * or "gradient of" a parameter's name.
     */
    public String tensor() {
        return tensor;
    }
}
