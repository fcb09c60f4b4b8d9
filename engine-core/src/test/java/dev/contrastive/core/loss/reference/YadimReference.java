package dev.contrastive.core.loss.reference;

import dev.contrastive.core.loss.AmdimComparison;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** YADIM: by the spec exactly AMDIM with the single comparison last -> last. */
public final class YadimReference {

    private static final AmdimComparison LAST = new AmdimComparison("last", "last");

    private YadimReference() {}

    /**
     * @param locations source locations under {@code last_last_ab} and {@code last_last_ba}; only
     *     read when the maps have more than one location
     */
    public static ReferenceResult compute(
            Tensor64 a, Tensor64 b, double tclip, double regWeight, Map<String, int[]> locations) {
        return compute(a, b, tclip, regWeight, locations, 0, a.dim(0));
    }

    /** The terms of anchor images [start, start + count) only (see AmdimReference). */
    public static ReferenceResult compute(
            Tensor64 a,
            Tensor64 b,
            double tclip,
            double regWeight,
            Map<String, int[]> locations,
            int start,
            int count) {
        ReferenceResult r = AmdimReference.compute(
                Map.of("last", a), Map.of("last", b), tclip, regWeight, List.of(LAST), locations, start, count);
        Map<String, Tensor64> grads = new LinkedHashMap<>();
        grads.put("a", r.gradient("a_last"));
        grads.put("b", r.gradient("b_last"));
        return new ReferenceResult(r.loss(), r.parts(), r.diagnostics(), grads, r.margins(), r.maxAbsScore());
    }
}
