package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A differentiable block with a hand-written backward pass.
 *
 * <p>{@link #forward} may cache its input and intermediate results for {@link #backward}; a
 * backward call uses the cache of the last forward call, so interleaving two forwards before one
 * backward is not supported (use one module instance per pass, or run forward again).
 */
public interface Module {

    /**
     * @param x input, owned by the caller or the arena; not modified
     * @param training batch statistics and running-stat updates in batch norm when true
     * @return the output, owned by the module's arena
     */
    INDArray forward(INDArray x, boolean training);

    /**
     * @param dy gradient of the loss with respect to the last forward's output; not modified
     * @return gradient with respect to the last forward's input, owned by the arena; parameter
     *     gradients are added to their accumulators
     */
    INDArray backward(INDArray dy);

    /**
     * {@link #backward} for a module whose input needs no gradient, the first layer of an encoder
     * (PyTorch likewise skips grad_input when the input does not require grad): adds the parameter
     * gradients and may skip the input gradient. The default runs {@link #backward}.
     */
    default void backwardToParameters(INDArray dy) {
        backward(dy);
    }

    /**
     * Appends this module's evaluation-mode forward ({@code forward(x, false)}) to an ONNX graph, its
     * weights read from {@link Parameters} by name.
     *
     * @param input the name of the value this module reads
     * @return the name of the value it produces
     * @throws UnsupportedOperationException naming the module's class, for a module without an ONNX
     *     form (the default)
     */
    default String emit(OnnxGraph g, String input) {
        throw new UnsupportedOperationException(getClass().getName() + " has no ONNX form");
    }
}
