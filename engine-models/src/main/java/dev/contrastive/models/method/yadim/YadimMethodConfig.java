package dev.contrastive.models.method.yadim;

import dev.contrastive.core.loss.YadimOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.ProbeTaps;
import dev.contrastive.models.method.amdim.AmdimEncoderConfig;

/**
 * YADIM (Falcon and Cho 2020): AMDIM's encoder and NCE, comparing only the last feature maps.
 *
 * @param encoder the AMDIM encoder's hyper-parameters
 * @param last which tap is the "last map": R1, the encoder's final 1x1 output, is the literal
 *     reading and the default; R5 or R7 give the loss a multi-location map, for which it samples
 *     one source location per image
 * @param loss the fused loss's options (tclip, regulariser weight)
 * @param probe the taps the probes read
 */
public record YadimMethodConfig(AmdimConfig encoder, Tap last, YadimOptions loss, ProbeTaps probe)
        implements AmdimEncoderConfig {

    public static final String NAME = "yadim";

    /** The AMDIM tap used as YADIM's last map. */
    public enum Tap {
        R1,
        R5,
        R7
    }

    public YadimMethodConfig {
        if (encoder == null || last == null || loss == null || probe == null) {
            throw new IllegalArgumentException("yadim.encoder, yadim.last, yadim.loss and yadim.probe must all be set");
        }
    }

    /** The last map r1, AMDIM's published clip and regulariser, probes on r1. */
    public static YadimMethodConfig of(AmdimConfig encoder) {
        return new YadimMethodConfig(encoder, Tap.R1, YadimOptions.defaults(), ProbeTaps.R1);
    }

    public YadimMethodConfig withLast(Tap t) {
        return new YadimMethodConfig(encoder, t, loss, probe);
    }

    public YadimMethodConfig withProbe(ProbeTaps p) {
        return new YadimMethodConfig(encoder, last, loss, p);
    }

    @Override
    public String method() {
        return NAME;
    }
}
