package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * torch's reflect padding of the two spatial axes by p on every side: padded index -r maps to r,
 * and H-1+r to H-1-r (the edge row is not repeated). Written with view assignments so that the
 * backward pass is the exact transpose (each padded row's gradient is added back to the row it was
 * copied from).
 */
public final class ReflectPad implements Module {

    private final Arena arena;
    private final int p;
    private long[] inShape;

    public ReflectPad(Arena arena, int p) {
        if (p < 1) {
            throw new IllegalArgumentException("reflectPad.p must be >= 1, got " + p);
        }
        this.arena = arena;
        this.p = p;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        long h = x.size(2);
        long w = x.size(3);
        if (h <= p || w <= p) {
            throw new IllegalArgumentException(
                    "reflect padding " + p + " needs height and width > " + p + ", got " + h + "x" + w);
        }
        inShape = x.shape();
        INDArray out = arena.own(Nd4j.create(x.dataType(), x.size(0), x.size(1), h + 2 * p, w + 2 * p));
        // Rows first into the centre columns, then whole padded rows get their columns reflected.
        INDArray centreCols = out.get(all(), all(), all(), NDArrayIndex.interval(p, p + w));
        centreCols.get(all(), all(), NDArrayIndex.interval(p, p + h), all()).assign(x);
        for (int r = 1; r <= p; r++) {
            centreCols
                    .get(all(), all(), NDArrayIndex.point(p - r), all())
                    .assign(x.get(all(), all(), NDArrayIndex.point(r), all()));
            centreCols
                    .get(all(), all(), NDArrayIndex.point(p + h - 1 + r), all())
                    .assign(x.get(all(), all(), NDArrayIndex.point(h - 1 - r), all()));
        }
        for (int r = 1; r <= p; r++) {
            out.get(all(), all(), all(), NDArrayIndex.point(p - r))
                    .assign(out.get(all(), all(), all(), NDArrayIndex.point(p + r)));
            out.get(all(), all(), all(), NDArrayIndex.point(p + w - 1 + r))
                    .assign(out.get(all(), all(), all(), NDArrayIndex.point(p + w - 1 - r)));
        }
        return out;
    }

    @Override
    public INDArray backward(INDArray dy) {
        long h = inShape[2];
        long w = inShape[3];
        // Transpose of the column step: fold padded columns into their sources (in place on a copy).
        INDArray g = arena.own(dy.dup());
        for (int r = 1; r <= p; r++) {
            g.get(all(), all(), all(), NDArrayIndex.point(p + r))
                    .addi(g.get(all(), all(), all(), NDArrayIndex.point(p - r)));
            g.get(all(), all(), all(), NDArrayIndex.point(p + w - 1 - r))
                    .addi(g.get(all(), all(), all(), NDArrayIndex.point(p + w - 1 + r)));
        }
        INDArray centreCols = g.get(all(), all(), all(), NDArrayIndex.interval(p, p + w));
        for (int r = 1; r <= p; r++) {
            centreCols
                    .get(all(), all(), NDArrayIndex.point(p + r), all())
                    .addi(centreCols.get(all(), all(), NDArrayIndex.point(p - r), all()));
            centreCols
                    .get(all(), all(), NDArrayIndex.point(p + h - 1 - r), all())
                    .addi(centreCols.get(all(), all(), NDArrayIndex.point(p + h - 1 + r), all()));
        }
        return arena.own(centreCols
                .get(all(), all(), NDArrayIndex.interval(p, p + h), all())
                .dup('c'));
    }

    /** ONNX's reflect mode is numpy's, which is torch's: the edge is not repeated. */
    @Override
    public String emit(OnnxGraph g, String input) {
        return g.op("Pad", input, g.ints(0, 0, p, p, 0, 0, p, p))
                .string("mode", "reflect")
                .output();
    }

    private static INDArrayIndex all() {
        return NDArrayIndex.all();
    }
}
