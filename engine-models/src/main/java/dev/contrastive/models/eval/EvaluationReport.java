package dev.contrastive.models.eval;

import dev.contrastive.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * What one {@link Evaluation} measured, in the form written to {@code eval.json}.
 *
 * @param checkpoint the checkpoint file the method came from, or null for a method given directly
 * @param step the optimiser step of the method's weights, >= 0
 * @param method the method's registry name
 * @param train the split the probes were fitted on
 * @param test the split they were scored on
 * @param options what was measured and how
 * @param learned scores of the method's probe features
 * @param rawPixels scores of the preprocessed pixels; present exactly when {@code
 *     options.baselines()}
 * @param randomInit scores of the same features of a randomly initialised model of the same
 *     configuration; present exactly when {@code options.baselines()}
 * @param seconds wall time of the whole evaluation, >= 0
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(
        String checkpoint,
        long step,
        String method,
        Split train,
        Split test,
        EvaluationOptions options,
        Scores learned,
        Scores rawPixels,
        Scores randomInit,
        double seconds) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A dataset split.
     *
     * @param name the dataset's name (file or embedded set)
     * @param size images, >= 1
     * @param classes classes, >= 2
     */
    public record Split(String name, int size, int classes) {
        public Split {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("split.name must not be blank");
            }
            if (size < 1) {
                throw new IllegalArgumentException("split.size must be >= 1, got " + size);
            }
            if (classes < 2) {
                throw new IllegalArgumentException("split.classes must be >= 2, got " + classes);
            }
        }
    }

    /**
     * What the probes reached on one kind of features.
     *
     * @param features which features: "learned", "raw pixels" or "random-init"
     * @param featureDim feature dimension, >= 1
     * @param extractionSeconds wall time to compute the train and test features, >= 0
     * @param linear the linear probe, or null when not run
     * @param mlp the MLP probe, or null when not run
     * @param knnAccuracy kNN test accuracy in [0, 1], or null when not run
     * @param probeSeconds wall time of fitting and scoring every probe, >= 0
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scores(
            String features,
            int featureDim,
            double extractionSeconds,
            ProbeResult linear,
            ProbeResult mlp,
            Double knnAccuracy,
            double probeSeconds) {
        public Scores {
            if (features == null || features.isBlank()) {
                throw new IllegalArgumentException("scores.features must not be blank");
            }
            if (featureDim < 1) {
                throw new IllegalArgumentException("scores.featureDim must be >= 1, got " + featureDim);
            }
            if (linear == null && mlp == null && knnAccuracy == null) {
                throw new IllegalArgumentException(
                        "scores of " + features + " must hold at least one of linear, mlp, knnAccuracy");
            }
            checkProbe(features + ".linear", linear);
            checkProbe(features + ".mlp", mlp);
            if (knnAccuracy != null) {
                checkAccuracy(features + ".knnAccuracy", knnAccuracy);
            }
            checkSeconds("scores.extractionSeconds", extractionSeconds);
            checkSeconds("scores.probeSeconds", probeSeconds);
        }
    }

    public EvaluationReport {
        if (step < 0) {
            throw new IllegalArgumentException("evaluation.step must be >= 0, got " + step);
        }
        if (method == null || train == null || test == null || options == null || learned == null) {
            throw new IllegalArgumentException("evaluation.method, evaluation.train, evaluation.test,"
                    + " evaluation.options and evaluation.learned must be set");
        }
        if ((rawPixels != null) != options.baselines() || (randomInit != null) != options.baselines()) {
            throw new IllegalArgumentException("evaluation.rawPixels and evaluation.randomInit must be "
                    + (options.baselines() ? "present" : "absent")
                    + " when options.baselines is "
                    + options.baselines());
        }
        checkSeconds("evaluation.seconds", seconds);
    }

    private static void checkProbe(String field, ProbeResult r) {
        if (r != null) {
            checkAccuracy(field + ".trainAccuracy", r.trainAccuracy());
            checkAccuracy(field + ".testAccuracy", r.testAccuracy());
        }
    }

    private static void checkAccuracy(String field, double a) {
        if (!(a >= 0 && a <= 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1], got " + a);
        }
    }

    private static void checkSeconds(String field, double s) {
        if (!(s >= 0 && Double.isFinite(s))) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0, got " + s);
        }
    }

    /** Pretty-printed JSON. */
    public String toJson() throws IOException {
        return JSON.writeValueAsString(this);
    }

    /**
     * Writes {@link #toJson()} to {@code target} with {@link AtomicFiles}: complete or not at all.
     *
     * @throws IOException naming {@code target} and the cause; the target is then left as it was
     */
    public void writeJson(Path target) throws IOException {
        AtomicFiles.writeString(target, toJson());
    }

    /** Reads what {@link #writeJson} wrote, validating it as the constructor does. */
    public static EvaluationReport readJson(Path file) throws IOException {
        return JSON.readValue(file.toFile(), EvaluationReport.class);
    }
}
