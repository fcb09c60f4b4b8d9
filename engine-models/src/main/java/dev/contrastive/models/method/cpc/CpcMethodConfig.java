package dev.contrastive.models.method.cpc;

import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.models.encoder.CpcConfig;
import dev.contrastive.models.method.MethodConfig;

/**
 * CPC v2 (Henaff et al. 2019): patch grid, patch encoder, context network and prediction heads, and
 * the InfoNCE over every patch of every image.
 *
 * @param model the model's hyper-parameters; its {@code predictionSteps} must equal the loss's
 *     {@code stepsToPredict}
 * @param loss steps to skip and to predict, the score scale
 */
public record CpcMethodConfig(CpcConfig model, CpcOptions loss) implements MethodConfig {

    public static final String NAME = "cpc";

    public CpcMethodConfig {
        if (model == null || loss == null) {
            throw new IllegalArgumentException("cpc.model and cpc.loss must both be set");
        }
        if (loss.stepsToPredict() != model.predictionSteps()) {
            throw new IllegalArgumentException("cpc.loss.stepsToPredict ("
                    + loss.stepsToPredict()
                    + ") must equal cpc.model.predictionSteps ("
                    + model.predictionSteps()
                    + "): one head per offset");
        }
        int lastOffset = loss.offset(loss.stepsToPredict() - 1);
        if (lastOffset >= model.grid()) {
            throw new IllegalArgumentException("cpc.loss predicts up to "
                    + lastOffset
                    + " rows below, but the "
                    + model.grid()
                    + "x"
                    + model.grid()
                    + " grid has no such row: lower stepsToSkip or stepsToPredict");
        }
    }

    /** The paper's loss (skip 2, predict 3, scale 0.1) on {@code model}. */
    public static CpcMethodConfig of(CpcConfig model) {
        return new CpcMethodConfig(
                model, CpcOptions.defaults().withSteps(CpcOptions.defaults().stepsToSkip(), model.predictionSteps()));
    }

    @Override
    public String method() {
        return NAME;
    }

    @Override
    public ItemShape imageShape() {
        return ItemShape.image(model.inChannels(), model.imageSize(), model.imageSize());
    }

    /** Whole images, or the patch grid already cut (CPC v2's per-patch augmentation). */
    @Override
    public void requireViews(ItemShape views) {
        ItemShape grid =
                new ItemShape(model.grid() * model.grid(), model.inChannels(), model.patchSize(), model.patchSize());
        if (!views.equals(imageShape()) && !views.equals(grid)) {
            throw new IllegalArgumentException("cpc takes whole images of "
                    + imageShape()
                    + " or their patch grid "
                    + grid
                    + ", the preset makes "
                    + views);
        }
    }
}
