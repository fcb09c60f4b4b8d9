package dev.contrastive.models.method.simclr;

import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.AmdimEncoder;
import dev.contrastive.models.method.MethodConfig;

/**
 * SimCLR (Chen et al. 2020), the baseline the other methods are compared with: an encoder trunk, a
 * 2-layer MLP projection head (1x1 convolution, batch norm and ReLU as in SimCLR v2, 1x1
 * convolution) and NT-Xent on the head's output. The probes read the trunk's representation, before
 * the head.
 *
 * @param trunk the encoder trunk: the AMDIM encoder, whose r1 (B, n_rkhs) is the representation
 * @param hidden width of the head's hidden layer, in [1, 65536] (SimCLR: the representation's
 *     width)
 * @param projection width of the head's output, the space NT-Xent compares, in [1, 65536] (SimCLR:
 *     128)
 * @param loss NT-Xent's temperature and normalisation (SimCLR: L2-normalised, tau 0.5 on CIFAR-10)
 */
public record SimClrConfig(AmdimConfig trunk, int hidden, int projection, InfoNceOptions loss) implements MethodConfig {

    public static final String NAME = "simclr";

    /** SimCLR's CIFAR-10 temperature. */
    public static final double CIFAR_TEMPERATURE = 0.5;

    public SimClrConfig {
        if (trunk == null || loss == null) {
            throw new IllegalArgumentException("simclr.trunk and simclr.loss must both be set");
        }
        if (hidden < 1 || hidden > 65536) {
            throw new IllegalArgumentException("simclr.hidden must be in [1, 65536], got " + hidden);
        }
        if (projection < 1 || projection > 65536) {
            throw new IllegalArgumentException("simclr.projection must be in [1, 65536], got " + projection);
        }
    }

    /**
     * The published head (hidden = representation width, 128 out) and loss (tau 0.5, normalised) on
     * {@code trunk}.
     */
    public static SimClrConfig of(AmdimConfig trunk) {
        return new SimClrConfig(
                trunk,
                trunk.nRkhs(),
                128,
                InfoNceOptions.defaults().withTemperature(CIFAR_TEMPERATURE).withNormalize(true));
    }

    public SimClrConfig withLoss(InfoNceOptions l) {
        return new SimClrConfig(trunk, hidden, projection, l);
    }

    @Override
    public String method() {
        return NAME;
    }

    @Override
    public ItemShape imageShape() {
        return AmdimEncoder.imageShape(trunk);
    }
}
