package dev.contrastive.models.train.optim;

/**
 * A float64 transcription of {@code torch.nn.utils.clip_grad_norm_} followed by one step of {@code
 * torch.optim.Adam} ({@code decoupled=false}) or {@code torch.optim.AdamW} ({@code
 * decoupled=true}), one scalar at a time, as in PyTorch's single-tensor code path:
 *
 * <pre>
 *   clip_coef = max_norm / (total_norm + 1e-6); if clip_coef < 1: grad *= clip_coef
 *   Adam:  grad = grad + wd * param          AdamW: param *= 1 - lr * wd
 *   m = b1 * m + (1 - b1) * grad;  v = b2 * v + (1 - b2) * grad^2
 *   param -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * Written independently of {@link Adam}'s array ops so that the test compares two derivations.
 */
final class TorchAdamReference {

    final double[] p;
    final double[] m;
    final double[] v;
    private final AdamOptions o;
    private long t;

    TorchAdamReference(AdamOptions o, double[] initial) {
        this.o = o;
        this.p = initial.clone();
        this.m = new double[initial.length];
        this.v = new double[initial.length];
    }

    /** One clipped update; returns the gradient norm before clipping. */
    double step(double[] grad, double lr) {
        double sq = 0;
        for (double x : grad) {
            sq += x * x;
        }
        double norm = Math.sqrt(sq);
        double coef = 1;
        if (o.maxGradNorm() > 0 && o.maxGradNorm() / (norm + 1e-6) < 1) {
            coef = o.maxGradNorm() / (norm + 1e-6);
        }
        t++;
        double bc1 = 1 - Math.pow(o.beta1(), t);
        double bc2 = 1 - Math.pow(o.beta2(), t);
        for (int i = 0; i < p.length; i++) {
            double g = grad[i] * coef;
            if (o.decoupled()) {
                p[i] *= 1 - lr * o.weightDecay();
            } else {
                g += o.weightDecay() * p[i];
            }
            m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g;
            v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g * g;
            double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps();
            p[i] -= lr / bc1 * m[i] / denom;
        }
        return norm;
    }
}
