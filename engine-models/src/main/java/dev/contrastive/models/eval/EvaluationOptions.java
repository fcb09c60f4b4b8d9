package dev.contrastive.models.eval;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What one {@link Evaluation} measures.
 *
 * @param probes the classifiers fitted on each kind of features, at least one; kept in {@link
 *     Probe} order
 * @param baselines whether raw pixels and a randomly initialised copy of the encoder are measured
 *     in the same run, beside the learned features
 * @param probe how the linear and MLP probes are fitted
 * @param knn how the kNN classifier votes (recorded even when {@link Probe#KNN} is not run, so the
 *     JSON always has the same fields)
 * @param randomInitSeed the weights of the random-init baseline encoder
 */
public record EvaluationOptions(
        Set<Probe> probes, boolean baselines, ProbeOptions probe, KnnOptions knn, long randomInitSeed) {

    /** A classifier fitted on frozen features. */
    public enum Probe {
        LINEAR,
        MLP,
        KNN;

        /** The lower-case name used on the command line and in messages. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The probe whose {@link #cliName()} is {@code name}. */
        public static Probe byCliName(String name) {
            for (Probe p : values()) {
                if (p.cliName().equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("evaluation.probes must be among linear, mlp, knn, got '" + name + "'");
        }
    }

    public EvaluationOptions {
        if (probes == null || probes.isEmpty()) {
            throw new IllegalArgumentException(
                    "evaluation.probes must name at least one of linear, mlp, knn, got " + probes);
        }
        if (probe == null || knn == null) {
            throw new IllegalArgumentException("evaluation.probe and evaluation.knn must be set");
        }
        probes = Collections.unmodifiableSet(EnumSet.copyOf(probes));
    }

    /** The linear probe alone, {@link ProbeOptions#defaults()}, no baselines, random-init seed 0. */
    public static EvaluationOptions defaults() {
        return new EvaluationOptions(
                EnumSet.of(Probe.LINEAR), false, ProbeOptions.defaults(), KnnOptions.defaults(), 0);
    }

    public EvaluationOptions withProbes(Set<Probe> p) {
        return new EvaluationOptions(p, baselines, probe, knn, randomInitSeed);
    }

    public EvaluationOptions withBaselines(boolean b) {
        return new EvaluationOptions(probes, b, probe, knn, randomInitSeed);
    }

    public EvaluationOptions withProbe(ProbeOptions p) {
        return new EvaluationOptions(probes, baselines, p, knn, randomInitSeed);
    }

    public EvaluationOptions withKnn(KnnOptions k) {
        return new EvaluationOptions(probes, baselines, probe, k, randomInitSeed);
    }

    public EvaluationOptions withRandomInitSeed(long seed) {
        return new EvaluationOptions(probes, baselines, probe, knn, seed);
    }
}
