package dev.contrastive.models.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Loop implementations of torch's conv2d, max_pool2d and avg_pool2d, float64, for tests only. */
final class LoopReference {

    private LoopReference() {}

    /** torch index of padded position i in an axis of size n: reflect or out of range (-1). */
    private static int source(int i, int n, boolean reflect) {
        if (i >= 0 && i < n) {
            return i;
        }
        if (!reflect) {
            return -1;
        }
        return i < 0 ? -i : 2 * (n - 1) - i;
    }

    static INDArray conv(INDArray x, INDArray w, INDArray b, int stride, int pad, boolean reflect) {
        int c = (int) x.size(1), h = (int) x.size(2), wd = (int) x.size(3);
        int k = (int) w.size(2);
        return eachOutput(x, (int) w.size(0), k, stride, pad, (bi, oc, i, j) -> {
            double s = b == null ? 0 : b.getDouble(oc);
            for (int ic = 0; ic < c; ic++) {
                for (int u = 0; u < k; u++) {
                    for (int v = 0; v < k; v++) {
                        int r = source(i * stride + u - pad, h, reflect);
                        int q = source(j * stride + v - pad, wd, reflect);
                        if (r >= 0 && q >= 0) {
                            s += w.getDouble(oc, ic, u, v) * x.getDouble(bi, ic, r, q);
                        }
                    }
                }
            }
            return s;
        });
    }

    /** max: padded cells never win; avg: count_include_pad=True (divide by k*k). */
    static INDArray pool(INDArray x, int k, int stride, int pad, boolean max) {
        int h = (int) x.size(2), wd = (int) x.size(3);
        return eachOutput(x, (int) x.size(1), k, stride, pad, (bi, ch, i, j) -> {
            double s = max ? Double.NEGATIVE_INFINITY : 0;
            for (int u = 0; u < k; u++) {
                for (int v = 0; v < k; v++) {
                    int r = i * stride + u - pad, q = j * stride + v - pad;
                    if (r >= 0 && r < h && q >= 0 && q < wd) {
                        double val = x.getDouble(bi, ch, r, q);
                        s = max ? Math.max(s, val) : s + val;
                    }
                }
            }
            return max ? s : s / (k * k);
        });
    }

    /** One output cell's value: image b, channel c, row i, column j. */
    private interface Cell {
        double at(int b, int c, int i, int j);
    }

    /**
     * The output of a k x k window at {@code stride} over {@code x} padded by {@code pad}, with
     * {@code channels} channels, each cell computed by {@code cell}.
     */
    private static INDArray eachOutput(INDArray x, int channels, int k, int stride, int pad, Cell cell) {
        int n = (int) x.size(0);
        int oh = (int) ((x.size(2) + 2 * pad - k) / stride + 1), ow = (int) ((x.size(3) + 2 * pad - k) / stride + 1);
        INDArray y = Nd4j.create(x.dataType(), n, channels, oh, ow);
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        y.putScalar(new long[] {b, c, i, j}, cell.at(b, c, i, j));
                    }
                }
            }
        }
        return y;
    }
}
