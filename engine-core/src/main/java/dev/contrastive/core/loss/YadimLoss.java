package dev.contrastive.core.loss;

import dev.contrastive.core.tensor.TensorChecks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * YADIM (Falcon and Cho 2020): AMDIM's NCE scoring, soft clip and regulariser, applied to the
 * encoders' last feature maps only instead of AMDIM's 1->5, 1->7 and 5->5 comparisons.
 *
 * <p>It is {@link AmdimLoss} with the single comparison {@code last -> last}, in both directions: a
 * last map with one location contributes that vector as the source; a larger last map contributes
 * one sampled location per image (sampler keys {@code last_last_ab} and {@code last_last_ba}),
 * scored against every location of the other view's last map.
 */
public final class YadimLoss {

    private static final String MAP = "last";

    private final YadimOptions options;
    private final AmdimLoss amdim;

    public YadimLoss(YadimOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.amdim = new AmdimLoss(new AmdimOptions(
                options.tclip(), options.regWeight(), List.of(new AmdimComparison(MAP, MAP)), options.tiling()));
    }

    public YadimOptions options() {
        return options;
    }

    /**
     * @param a view A's last map, (B, D, H, W), location-major (B, H*W, D) or (B, D)
     * @param b view B's last map, same shape
     * @param sampler source locations when the last map has more than one location
     * @return loss; parts {@code last->last} and {@code reg}; gradients {@code a} and {@code b}
     */
    public LossResult compute(INDArray a, INDArray b, SourceSampler sampler) {
        validate(a, b);
        return yadim(amdim.compute(views(a), views(b), sampler));
    }

    /**
     * The terms of one shard's anchors, as {@link AmdimLoss#compute(Map, Map, SourceSampler, Shard)}
     * defines them for the single comparison {@code last -> last}.
     *
     * @param a view A's last map of the whole (gathered) batch
     * @param b view B's last map, same shape
     * @param sampler source locations for the whole batch
     * @param shard the anchor images
     * @return the shard's loss and parts, the diagnostics of its anchors, and its share of the
     *     gradients {@code a} and {@code b} for all B images
     */
    public LossResult compute(INDArray a, INDArray b, SourceSampler sampler, Shard shard) {
        validate(a, b);
        return yadim(amdim.compute(views(a), views(b), sampler, shard));
    }

    private static void validate(INDArray a, INDArray b) {
        TensorChecks.requirePresent("a", a);
        TensorChecks.requirePresent("b", b);
        TensorChecks.requireSameType("b", b, "a", a);
        FeatureViews.requireLayout("a", a);
        TensorChecks.requireSameShape("b", b, "a", a);
        TensorChecks.requireFinite("a", a);
        TensorChecks.requireFinite("b", b);
    }

    private static Map<String, INDArray> views(INDArray last) {
        Map<String, INDArray> view = new LinkedHashMap<>();
        view.put(MAP, last);
        return view;
    }

    /** AMDIM's result under YADIM's gradient names. */
    private static LossResult yadim(LossResult inner) {
        return new LossResult(
                inner.loss(),
                inner.parts(),
                inner.diagnostics(),
                inner.positives(),
                inner.negatives(),
                Losses.named("a", inner.gradient("a_" + MAP), "b", inner.gradient("b_" + MAP)),
                inner.sourceLocations());
    }
}
