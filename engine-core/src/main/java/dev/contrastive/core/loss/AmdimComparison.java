package dev.contrastive.core.loss;

/**
 * One AMDIM comparison: a source map predicting a target map, scored in both directions (view A's
 * source against view B's target and the reverse).
 *
 * <p>A source map with one location (r1) contributes that vector; a source map with several (r5)
 * contributes one location per image, chosen by a {@link SourceSampler}. Every location of the
 * target map is a positive for its own image.
 *
 * @param source name of the source map, for example {@code r1}
 * @param target name of the target map, for example {@code r5}
 */
public record AmdimComparison(String source, String target) {

    public AmdimComparison {
        requireName("source", source);
        requireName("target", target);
    }

    private static void requireName(String field, String name) {
        if (name == null || !name.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("amdim.comparison."
                    + field
                    + " must be a non-empty name of letters and digits, got '"
                    + name
                    + "'");
        }
    }

    /** Name of the loss part, for example {@code r1->r5}. */
    public String name() {
        return source + "->" + target;
    }

    /** Key of one direction in a {@link SourceSampler}: {@code r5_r5_ab} or {@code r5_r5_ba}. */
    public String samplerKey(boolean aToB) {
        return source + "_" + target + (aToB ? "_ab" : "_ba");
    }

    /** Parses {@code r1:r5}. */
    public static AmdimComparison parse(String spec) {
        String[] parts = spec.trim().split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    "amdim comparison '" + spec + "' must look like SOURCE:TARGET, for example r1:r5");
        }
        return new AmdimComparison(parts[0], parts[1]);
    }
}
