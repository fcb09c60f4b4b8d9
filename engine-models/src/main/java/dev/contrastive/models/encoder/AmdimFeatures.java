package dev.contrastive.models.encoder;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The AMDIM encoder's taps for one batch: r1 (B, n_rkhs, 1, 1), r5 (B, n_rkhs, 5, 5) and r7 (B,
 * n_rkhs, 7, 7); r5 and r7 are null when the forward skipped their heads. The arrays belong to the
 * encoder replica that produced them and stay valid until its next forward or close.
 */
public record AmdimFeatures(INDArray r1, INDArray r5, INDArray r7) {

    /** The maps under the names AmdimLoss expects: "r1", "r5", "r7". */
    public Map<String, INDArray> asMap() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("r1", r1);
        m.put("r5", r5);
        m.put("r7", r7);
        return m;
    }
}
