package dev.contrastive.models.method.simclr;

import dev.contrastive.models.nn.Arena;
import dev.contrastive.models.nn.BatchNorm2d;
import dev.contrastive.models.nn.Conv2d;
import dev.contrastive.models.nn.Module;
import dev.contrastive.models.nn.PadMode;
import dev.contrastive.models.nn.Parameters;
import dev.contrastive.models.nn.Sequential;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SimCLR v2's projection head on (B, in, 1, 1) representations: Linear (as a 1x1 convolution, no
 * bias, since batch norm follows), batch norm fused with ReLU, Linear with bias to the projection.
 * Parameters are named {@code head.fc1}, {@code head.bn1}, {@code head.fc2}; a second instance over
 * the same sealed parameters is the replica for the second view (its own cache and arena).
 */
final class ProjectionHead implements AutoCloseable {

    private final Arena arena = new Arena();
    private final Module layers;

    ProjectionHead(Parameters params, int in, int hidden, int out, SplittableRandom rnd) {
        layers = new Sequential(List.of(
                new Conv2d(params, arena, "head.fc1", in, hidden, 1, 1, 0, false, PadMode.ZEROS, rnd),
                BatchNorm2d.withRelu(params, arena, "head.bn1.bn", hidden),
                new Conv2d(params, arena, "head.fc2", hidden, out, 1, 1, 0, true, PadMode.ZEROS, rnd)));
    }

    /** (B, in, 1, 1) to (B, out, 1, 1); clears the previous step's arrays. */
    INDArray forward(INDArray representation, boolean training) {
        arena.clear();
        return layers.forward(representation, training);
    }

    /** Gradient with respect to the last forward's representation. */
    INDArray backward(INDArray dProjection) {
        return layers.backward(dProjection);
    }

    @Override
    public void close() {
        arena.close();
    }
}
