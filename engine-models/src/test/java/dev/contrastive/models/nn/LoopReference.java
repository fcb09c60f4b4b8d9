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
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), wd = (int) x.size(3);
        int o = (int) w.size(0), k = (int) w.size(2);
        int oh = (h + 2 * pad - k) / stride + 1, ow = (wd + 2 * pad - k) / stride + 1;
        INDArray y = Nd4j.create(x.dataType(), n, o, oh, ow);
        for (int bi = 0; bi < n; bi++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
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
                        y.putScalar(new long[] {bi, oc, i, j}, s);
                    }
                }
            }
        }
        return y;
    }

    /** max: padded cells never win; avg: count_include_pad=True (divide by k*k). */
    static INDArray pool(INDArray x, int k, int stride, int pad, boolean max) {
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), wd = (int) x.size(3);
        int oh = (h + 2 * pad - k) / stride + 1, ow = (wd + 2 * pad - k) / stride + 1;
        INDArray y = Nd4j.create(x.dataType(), n, c, oh, ow);
        for (int bi = 0; bi < n; bi++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
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
                        y.putScalar(new long[] {bi, ch, i, j}, max ? s : s / (k * k));
                    }
                }
            }
        }
        return y;
    }
}
