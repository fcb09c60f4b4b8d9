package dev.contrastive.augment.transform;

import java.util.Arrays;

/**
 * Separable resampling of a box of one image to a new size, the way PIL's {@code Image.resize(size,
 * filter, box)} does it: each output pixel is a normalised weighted sum of the source pixels under
 * the filter, and when shrinking the filter is stretched by the scale, so downsampling averages (no
 * aliasing) instead of skipping pixels.
 *
 * <p>Horizontal pass first into a scratch buffer over only the source rows the vertical pass reads,
 * then the vertical pass. Pixels are expected in [0, 1] (resampling comes before {@link Normalize}
 * in every pipeline) and results are clamped to [0, 1], as PIL clamps to [0, 255]: bicubic
 * overshoots at edges.
 */
final class Resampler {

    private Resampler() {}

    /**
     * Filter taps of one axis: for output i, {@code count[i]} weights starting at source {@code
     * first[i]}.
     */
    private record Taps(int[] first, int[] count, float[] weights, int stride) {}

    private static Taps taps(double start, double length, int sourceSize, int outSize, Interpolation filter) {
        double scale = length / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support() * filterScale;
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        float[] weights = new float[outSize * stride];
        for (int i = 0; i < outSize; i++) {
            double center = start + (i + 0.5) * scale;
            int lo = Math.max(0, (int) (center - support + 0.5));
            int hi = Math.min(sourceSize, (int) (center + support + 0.5));
            int n = Math.max(0, Math.min(hi - lo, stride));
            double[] raw = new double[n];
            double sum = 0;
            for (int k = 0; k < n; k++) {
                raw[k] = filter.weight((k + lo - center + 0.5) / filterScale);
                sum += raw[k];
            }
            for (int k = 0; k < n; k++) {
                weights[i * stride + k] = (float) (sum != 0 ? raw[k] / sum : 0);
            }
            first[i] = lo;
            count[i] = n;
        }
        return new Taps(first, count, weights, stride);
    }

    /**
     * Resamples the box (x0, y0, boxWidth, boxHeight), in source pixel units, of every channel of the
     * (C, srcH, srcW) image at {@code src[srcOff..]} to (C, outH, outW) at {@code dst[dstOff..]}.
     */
    static void resize(
            float[] src,
            int srcOff,
            int channels,
            int srcH,
            int srcW,
            double x0,
            double y0,
            double boxWidth,
            double boxHeight,
            float[] dst,
            int dstOff,
            int outH,
            int outW,
            Interpolation filter) {
        Taps horizontal = taps(x0, boxWidth, srcW, outW, filter);
        Taps vertical = taps(y0, boxHeight, srcH, outH, filter);
        int rowLo = vertical.first()[0];
        int rowHi = rowLo;
        for (int i = 0; i < outH; i++) {
            rowHi = Math.max(rowHi, vertical.first()[i] + vertical.count()[i]);
        }
        int rowsUsed = rowHi - rowLo;
        float[] tmp = new float[rowsUsed * outW];
        float[] acc = new float[outW];
        int[] hFirst = horizontal.first();
        int[] hCount = horizontal.count();
        float[] hWeights = horizontal.weights();
        int hStride = horizontal.stride();
        int[] vFirst = vertical.first();
        int[] vCount = vertical.count();
        float[] vWeights = vertical.weights();
        int vStride = vertical.stride();
        for (int c = 0; c < channels; c++) {
            int plane = srcOff + c * srcH * srcW;
            for (int y = 0; y < rowsUsed; y++) {
                int line = plane + (rowLo + y) * srcW;
                for (int x = 0; x < outW; x++) {
                    int s = line + hFirst[x];
                    int wb = x * hStride;
                    float sum = 0;
                    for (int k = 0, n = hCount[x]; k < n; k++) {
                        sum += hWeights[wb + k] * src[s + k];
                    }
                    tmp[y * outW + x] = sum;
                }
            }
            int out = dstOff + c * outH * outW;
            for (int y = 0; y < outH; y++) {
                // Row-wise accumulation: the inner loop runs along x over contiguous memory and vectorises.
                Arrays.fill(acc, 0f);
                int f = vFirst[y] - rowLo;
                int wb = y * vStride;
                for (int k = 0, n = vCount[y]; k < n; k++) {
                    float w = vWeights[wb + k];
                    int from = (f + k) * outW;
                    for (int x = 0; x < outW; x++) {
                        acc[x] += w * tmp[from + x];
                    }
                }
                int to = out + y * outW;
                for (int x = 0; x < outW; x++) {
                    float v = acc[x];
                    dst[to + x] = v < 0f ? 0f : (v > 1f ? 1f : v);
                }
            }
        }
    }
}
