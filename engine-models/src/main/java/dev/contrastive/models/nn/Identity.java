package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Passes input and gradient through; amdim's MaybeBatchNorm2d with use_bn off, and its NopNet. */
public final class Identity implements Module {

    @Override
    public INDArray forward(INDArray x, boolean training) {
        return x;
    }

    @Override
    public INDArray backward(INDArray dy) {
        return dy;
    }

    @Override
    public String emit(OnnxGraph g, String input) {
        return input;
    }
}
