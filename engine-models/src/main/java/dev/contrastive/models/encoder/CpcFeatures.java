package dev.contrastive.models.encoder;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CPC v2 outputs for one batch, all (B, *, g, g): the patch vectors (the representation for
 * evaluation), the targets z2target(latents), and one prediction map per step, index s predicting
 * the row offset stepsToSkip + s (the layout CpcLoss takes). Owned by the encoder instance that
 * produced them, valid until its next forward or close.
 */
public record CpcFeatures(INDArray latents, INDArray targets, List<INDArray> predictions) {

    public CpcFeatures {
        predictions = List.copyOf(predictions);
    }
}
