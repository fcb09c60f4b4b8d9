package dev.contrastive.core.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Row-wise L2 normalisation and its backward pass, in place; temporaries go to the caller's scope.
 */
final class Normalization {

    /** F.normalize's floor: rows with a smaller norm are divided by this instead. */
    static final double EPSILON = 1e-12;

    private Normalization() {}

    /** Divides each row of {@code x} by its norm in place; returns the (N, 1) norms used. */
    static INDArray normalizeRows(INDArray x) {
        INDArray norms = x.norm2(true, 1);
        Transforms.max(norms, EPSILON, false);
        x.diviColumnVector(norms);
        return norms;
    }

    /**
     * Maps the gradient w.r.t. the normalised rows {@code z} to the raw rows, in place: {@code dx =
     * (dz - z (z . dz)) / norm}. Rows whose norm hit the floor are treated as scaled by a constant,
     * as F.normalize's autograd does.
     */
    static void backward(INDArray z, INDArray dz, INDArray norms) {
        INDArray dot = dz.mul(z).sum(true, 1);
        INDArray projection = z.mulColumnVector(dot);
        projection.muliColumnVector(norms.gt(EPSILON).castTo(z.dataType()));
        dz.subi(projection).diviColumnVector(norms);
    }
}
