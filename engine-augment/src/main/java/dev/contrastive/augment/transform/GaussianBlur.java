package dev.contrastive.augment.transform;

/**
 * With probability {@code p}, blurs each row with a Gaussian of standard deviation drawn uniformly
 * from [sigmaMin, sigmaMax]: torchvision's {@code GaussianBlur(kernelSize, (sigmaMin, sigmaMax))}
 * wrapped in {@code RandomApply}. The kernel is {@code kernelSize} taps of exp(-x^2 / 2 sigma^2),
 * normalised, applied separably with reflect padding. Sigma 0 is no blur.
 *
 * @param kernelSize taps per axis, odd, in [1, 255]
 * @param sigmaMin smallest standard deviation in pixels, in [0, 1000]
 * @param sigmaMax largest, in [sigmaMin, 1000]
 * @param p probability of blurring a row, in [0, 1]
 */
public record GaussianBlur(int kernelSize, double sigmaMin, double sigmaMax, double p) implements Transform {

    public GaussianBlur {
        if (kernelSize < 1 || kernelSize > 255 || kernelSize % 2 == 0) {
            throw new IllegalArgumentException("blur.kernelSize must be odd and in [1, 255], got " + kernelSize);
        }
        Checks.range("blur.sigmaMin", sigmaMin, 0, 1000);
        Checks.range("blur.sigmaMax", sigmaMax, sigmaMin, 1000);
        Checks.probability("blur.p", p);
    }

    @Override
    public ImageBatch apply(ImageBatch batch) {
        int c = batch.channels();
        int h = batch.height();
        int w = batch.width();
        int radius = kernelSize / 2;
        float[] d = batch.data();
        float[] kernel = new float[kernelSize];
        float[] line = new float[Math.max(h, w) + 2 * radius];
        return batch.changeRows(p, (base, random) -> {
            double sigma = sigmaMin + (sigmaMax - sigmaMin) * random.nextDouble();
            if (sigma == 0 || radius == 0) {
                return;
            }
            double sum = 0;
            for (int k = 0; k < kernelSize; k++) {
                double x = (k - radius) / sigma;
                kernel[k] = (float) Math.exp(-0.5 * x * x);
                sum += kernel[k];
            }
            for (int k = 0; k < kernelSize; k++) {
                kernel[k] /= (float) sum;
            }
            for (int ch = 0; ch < c; ch++) {
                int plane = base + ch * h * w;
                for (int y = 0; y < h; y++) {
                    convolve(d, plane + y * w, 1, w, kernel, radius, line);
                }
                for (int x = 0; x < w; x++) {
                    convolve(d, plane + x, w, h, kernel, radius, line);
                }
            }
        });
    }

    /** Convolves the n values at d[start], d[start + step], ... in place, reflecting at both ends. */
    private static void convolve(float[] d, int start, int step, int n, float[] kernel, int radius, float[] line) {
        for (int i = -radius; i < n + radius; i++) {
            line[i + radius] = d[start + Checks.reflect(i, n) * step];
        }
        for (int i = 0; i < n; i++) {
            float acc = 0;
            for (int k = 0; k < kernel.length; k++) {
                acc += kernel[k] * line[i + k];
            }
            d[start + i * step] = acc;
        }
    }

    @Override
    public ItemShape outputShape(ItemShape input) {
        return input;
    }
}
