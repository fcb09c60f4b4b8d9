package dev.contrastive.models.method.amdim;

import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.ProbeTaps;

/**
 * AMDIM (Bachman, Hjelm and Buchwalter 2019): the encoder, its loss and the features its probes
 * read.
 *
 * @param encoder the encoder's hyper-parameters
 * @param loss the fused loss's options (comparisons 1->5, 1->7, 5->5; tclip; regulariser weight)
 * @param probe the taps the probes read
 */
public record AmdimMethodConfig(AmdimConfig encoder, AmdimOptions loss, ProbeTaps probe) implements AmdimEncoderConfig {

    public static final String NAME = "amdim";

    public AmdimMethodConfig {
        if (encoder == null || loss == null || probe == null) {
            throw new IllegalArgumentException("amdim.encoder, amdim.loss and amdim.probe must all be set");
        }
    }

    /**
     * The published loss on {@code encoder}; the probes read r1 with the average-pooled r5 and r7
     * (one of the readouts AMDIM's own evaluation uses): on the embedded Fashion-MNIST subset they
     * beat r1 alone by 1 to 2 points of linear-probe accuracy (bench-results/sweep-main-job.md).
     */
    public static AmdimMethodConfig of(AmdimConfig encoder) {
        return new AmdimMethodConfig(encoder, AmdimOptions.defaults(), ProbeTaps.R1_POOLED_R5_R7);
    }

    public AmdimMethodConfig withLoss(AmdimOptions l) {
        return new AmdimMethodConfig(encoder, l, probe);
    }

    public AmdimMethodConfig withProbe(ProbeTaps p) {
        return new AmdimMethodConfig(encoder, loss, p);
    }

    @Override
    public String method() {
        return NAME;
    }
}
