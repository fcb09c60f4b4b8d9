package dev.contrastive.models.train.optim;

/**
 * Everything {@link Adam} carries from one step to the next, as plain arrays for a checkpoint.
 *
 * <p>Moments are stored as double whatever the parameter type: float32 values round-trip through
 * double exactly, so importing gives a bit-identical continuation for FLOAT and DOUBLE models
 * alike. The arrays are copied in and out, so a state never aliases a live optimiser or another
 * state.
 *
 * @param step number of updates applied so far (0 before the first)
 * @param m first moment, in the layout of {@code Parameters.flatValues()}
 * @param v second moment, same layout
 */
public record AdamState(long step, double[] m, double[] v) {

    public AdamState {
        if (step < 0) {
            throw new IllegalArgumentException("adamState.step must be >= 0, got " + step);
        }
        if (m.length != v.length) {
            throw new IllegalArgumentException(
                    "adamState.m and adamState.v must have the same length, got " + m.length + " and " + v.length);
        }
        m = m.clone();
        v = v.clone();
    }

    @Override
    public double[] m() {
        return m.clone();
    }

    @Override
    public double[] v() {
        return v.clone();
    }
}
