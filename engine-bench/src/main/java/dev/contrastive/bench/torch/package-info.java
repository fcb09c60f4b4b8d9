/**
 * The contrastive losses in PyTorch through DJL, written the way a PyTorch user would (materialised
 * scores, log-softmax, masks, autograd): the reference the fused losses are timed against. Also the
 * PyTorch peers of our models and training steps ({@code TorchAmdimEncoder}, {@code
 * TorchCpcEncoder}, {@code TorchSimClr}, {@code TorchTrainSteps}), over copies of our parameters.
 *
 * <p>{@link dev.contrastive.bench.torch.TorchRuntime} starts libtorch from the pytorch-native-cpu
 * jar on the class path with as many intra-op threads as ND4J uses.
 */
package dev.contrastive.bench.torch;
