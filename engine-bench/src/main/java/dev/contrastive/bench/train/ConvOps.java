package dev.contrastive.bench.train;

import dev.contrastive.bench.torch.ConvShape;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * libnd4j's {@code conv2d} and {@code conv2d_bp} alone, once per convolution of an encoder pass, on
 * preallocated float32 inputs and outputs: the convolution throughput the encoder could reach if it
 * did nothing but its convolutions (no allocation, no batch norm, ReLU, pooling or adds). The same
 * ops and arguments as {@code models.nn.Conv2d} (NCHW, weights [oC, iC, kH, kW]).
 */
public final class ConvOps implements AutoCloseable {

    private final List<ConvShape> shapes;
    private final List<INDArray[]> arrays = new ArrayList<>();

    /** Allocates input, weights, output, output gradient and the two backward outputs per shape. */
    public ConvOps(List<ConvShape> shapes, long seed) {
        this.shapes = List.copyOf(shapes);
        Nd4j.getRandom().setSeed(seed);
        for (ConvShape s : shapes) {
            INDArray x = Nd4j.rand(DataType.FLOAT, s.n(), s.cIn(), s.h(), s.w());
            INDArray w = Nd4j.rand(DataType.FLOAT, s.cOut(), s.cIn(), s.kH(), s.kW());
            INDArray y = Nd4j.create(DataType.FLOAT, s.n(), s.cOut(), s.outH(), s.outW());
            INDArray dy = Nd4j.rand(DataType.FLOAT, s.n(), s.cOut(), s.outH(), s.outW());
            INDArray dx = Nd4j.create(DataType.FLOAT, x.shape());
            INDArray dw = Nd4j.create(DataType.FLOAT, w.shape());
            arrays.add(new INDArray[] {x, w, y, dy, dx, dw});
        }
    }

    public List<ConvShape> shapes() {
        return shapes;
    }

    /** Forward of layer {@code i}. */
    public INDArray forward(int i) {
        INDArray[] a = arrays.get(i);
        Nd4j.exec(op("conv2d", shapes.get(i))
                .addInputs(a[0], a[1])
                .addOutputs(a[2])
                .build());
        return a[2];
    }

    /** Backward of layer {@code i} (input and weight gradients). */
    public INDArray backward(int i) {
        INDArray[] a = arrays.get(i);
        Nd4j.exec(op("conv2d_bp", shapes.get(i))
                .addInputs(a[0], a[1], a[3])
                .addOutputs(a[4], a[5])
                .build());
        return a[4];
    }

    /** Every layer's forward, in order. */
    public void forwardAll() {
        for (int i = 0; i < shapes.size(); i++) {
            forward(i);
        }
    }

    /** Every layer's forward, then every layer's backward in reverse order. */
    public void forwardBackwardAll() {
        forwardAll();
        for (int i = shapes.size() - 1; i >= 0; i--) {
            backward(i);
        }
    }

    /** Forward FLOPs of all layers. */
    public static double forwardFlops(List<ConvShape> shapes) {
        return shapes.stream().mapToDouble(ConvShape::forwardFlops).sum();
    }

    private static DynamicCustomOp.DynamicCustomOpsBuilder op(String name, ConvShape s) {
        return DynamicCustomOp.builder(name)
                .addIntegerArguments(
                        (int) s.kH(), (int) s.kW(), s.stride(), s.stride(), s.padH(), s.padW(), 1, 1, 0, 0, 1);
    }

    @Override
    public void close() {
        for (INDArray[] a : arrays) {
            for (INDArray x : a) {
                x.close();
            }
        }
    }
}
