package dev.contrastive.models.nn;

import dev.contrastive.core.layers.NativeLayers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * max(x, 0). Float32 CPU input takes {@link NativeLayers#relu} / {@link NativeLayers#reluBackward}
 * (one vectorised pass each); otherwise libnd4j's {@code relu} (tArg 0: the cutoff, 0) and {@code
 * relu_bp} (inputs: the forward input and gradO; passes gradO where input > 0). torch's in-place
 * ReLU is not copied: the input is cached for backward, so the output must be a new array.
 */
public final class Relu implements Module {

    private final Arena arena;
    private INDArray input;

    public Relu(Arena arena) {
        this.arena = arena;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        input = x;
        if (NativeLayers.usable(x)) {
            INDArray y = arena.own(x.ulike());
            NativeLayers.relu(x, y);
            return y;
        }
        INDArray[] out = Nd4j.exec(DynamicCustomOp.builder("relu")
                .addInputs(x)
                .addFloatingPointArguments(0.0)
                .build());
        return arena.own(out[0]);
    }

    @Override
    public INDArray backward(INDArray dy) {
        if (NativeLayers.usable(input)) {
            INDArray g = arena.nativeReadable(dy);
            INDArray dx = arena.own(input.ulike());
            NativeLayers.reluBackward(input, g, dx);
            return dx;
        }
        INDArray[] out = Nd4j.exec(DynamicCustomOp.builder("relu_bp")
                .addInputs(input, dy)
                .addFloatingPointArguments(0.0)
                .build());
        return arena.own(out[0]);
    }

    @Override
    public String emit(OnnxGraph g, String input) {
        return g.op("Relu", input).output();
    }
}
