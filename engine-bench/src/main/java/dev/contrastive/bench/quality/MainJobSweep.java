package dev.contrastive.bench.quality;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.data.Datasets;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.ProbeTaps;
import dev.contrastive.models.eval.Evaluation;
import dev.contrastive.models.eval.EvaluationOptions;
import dev.contrastive.models.eval.EvaluationReport;
import dev.contrastive.models.eval.FeatureExtractor;
import dev.contrastive.models.eval.ProbeOptions;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodConfig;
import dev.contrastive.models.method.amdim.AmdimMethodConfig;
import dev.contrastive.models.method.simclr.SimClrConfig;
import dev.contrastive.models.method.yadim.YadimMethodConfig;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.Trainer;
import dev.contrastive.models.train.TrainerConfig;
import dev.contrastive.models.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The sweep behind the main job's settings: each trial trains one method in memory on a training
 * split with the settings it names, then fits the linear probe the main job's evaluation fits (same
 * options, same splits) on the learned features, raw pixels and the random-init model, with a fixed
 * 10-epoch probe and with the default probe (epochs chosen on held-out train rows), and appends one
 * markdown row per probe to the output file. Usage:
 *
 * <pre>
 * MainJobSweep OUT.md TRAIN_SPEC TEST_SPEC TRIAL...
 *   TRIAL: name,key=value,...  keys: method, preset, steps, batch, lr, warmup, seed, encoder,
 *          ndf, nrkhs, depth, bn (amdim, yadim, simclr trunk), probe (r1|pooled: amdim),
 *          tau, hidden, projection (simclr)
 * </pre>
 *
 * Unset keys take the CLI's defaults ({@code contrastive train}), so a row's settings are those of
 * the command line that would reproduce it.
 */
public final class MainJobSweep {

    /**
     * Probe budgets: 10 epochs on every train row (the eval default before validation-chosen epochs),
     * and the default, at most 300 epochs with the epoch chosen on 10% of the train rows.
     */
    private static final ProbeOptions[] PROBES = {
        ProbeOptions.defaults().withEpochs(10).withValidationFraction(0), ProbeOptions.defaults()
    };

    private MainJobSweep() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: MainJobSweep OUT.md TRAIN_SPEC TEST_SPEC TRIAL...");
        }
        Path out = Path.of(args[0]);
        Files.writeString(
                out,
                "| trial | settings | train s | steps/s | probe epochs (chosen) | learned | raw | random"
                        + " | learned - raw |\n|---|---|---|---|---|---|---|---|---|\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        try (Dataset train = Datasets.open(args[1]);
                Dataset test = Datasets.open(args[2])) {
            for (int i = 3; i < args.length; i++) {
                String row = trial(args[i], train, test);
                System.out.println(row);
                Files.writeString(out, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
        }
    }

    private static String trial(String spec, Dataset train, Dataset test) {
        String[] parts = spec.split(",");
        Map<String, String> s = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            s.put(kv[0], kv[1]);
        }
        String method = s.getOrDefault("method", "amdim");
        String preset = s.getOrDefault("preset", Methods.get(method).defaultPreset(train.info()));
        ItemShape image = Presets.byName(preset)
                .evaluation()
                .outputShape(ItemShape.image(
                        train.info().channels(),
                        train.info().height(),
                        train.info().width()));
        MethodConfig config = methodConfig(method, image, s);
        long warmup = Long.parseLong(s.getOrDefault("warmup", "50"));
        TrainerConfig tc = TrainerConfig.builder(config)
                .preset(preset)
                .steps(Long.parseLong(s.getOrDefault("steps", "600")))
                .batch(Integer.parseInt(s.getOrDefault("batch", "64")))
                .seed(Long.parseLong(s.getOrDefault("seed", "1")))
                .lr(Double.parseDouble(s.getOrDefault("lr", "1e-3")))
                .schedule(
                        warmup > 0
                                ? new LearningRateSchedule.WarmUp(warmup, LearningRateSchedule.constant())
                                : LearningRateSchedule.constant())
                .onlineProbeLr(0)
                .build();
        FeatureExtractor extractor = FeatureExtractor.forPreset(Presets.byName(preset), 256);
        try (Method m = Methods.create(config, Long.parseLong(s.getOrDefault("model-seed", "1")))) {
            long started = System.nanoTime();
            try {
                new Trainer(tc, m, train).fit();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            String settings = String.join(
                    " ",
                    s.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .toList());
            StringBuilder rows = new StringBuilder();
            for (ProbeOptions probe : PROBES) {
                EvaluationOptions options =
                        EvaluationOptions.defaults().withBaselines(true).withProbe(probe);
                EvaluationReport r = new Evaluation(options).run(null, tc.steps(), m, train, test, extractor);
                double learned = r.learned().linear().testAccuracy();
                double raw = r.rawPixels().linear().testAccuracy();
                rows.append(rows.length() == 0 ? "" : "\n")
                        .append(String.format(
                                Locale.ROOT,
                                "| %s | %s | %.0f | %.2f | %s | %.4f | %.4f | %.4f | %+.4f |",
                                parts[0],
                                settings,
                                seconds,
                                tc.steps() / seconds,
                                probeName(probe, r),
                                learned,
                                raw,
                                r.randomInit().linear().testAccuracy(),
                                learned - raw));
            }
            return rows.toString();
        }
    }

    /**
     * "10" for a fixed budget, "<=300 (a/b/c)" with the epochs validation chose for
     * learned/raw/random.
     */
    private static String probeName(ProbeOptions probe, EvaluationReport r) {
        if (probe.validationFraction() == 0) {
            return Integer.toString(probe.epochs());
        }
        return "<="
                + probe.epochs()
                + " ("
                + r.learned().linear().epochs()
                + "/"
                + r.rawPixels().linear().epochs()
                + "/"
                + r.randomInit().linear().epochs()
                + ")";
    }

    private static MethodConfig methodConfig(String method, ItemShape image, Map<String, String> s) {
        MethodConfig base = Methods.get(method).defaultConfig(image, s.getOrDefault("encoder", "small"));
        if (base instanceof AmdimMethodConfig a) {
            return new AmdimMethodConfig(
                    encoder(a.encoder(), s),
                    a.loss(),
                    "pooled".equals(s.get("probe")) ? ProbeTaps.R1_POOLED_R5_R7 : ProbeTaps.R1);
        }
        if (base instanceof YadimMethodConfig y) {
            return new YadimMethodConfig(encoder(y.encoder(), s), y.last(), y.loss(), y.probe());
        }
        if (base instanceof SimClrConfig c) {
            AmdimConfig trunk = encoder(c.trunk(), s);
            return new SimClrConfig(
                    trunk,
                    Integer.parseInt(s.getOrDefault("hidden", "" + trunk.nRkhs())),
                    Integer.parseInt(s.getOrDefault("projection", "" + c.projection())),
                    c.loss()
                            .withTemperature(Double.parseDouble(
                                    s.getOrDefault("tau", "" + c.loss().temperature()))));
        }
        return base;
    }

    private static AmdimConfig encoder(AmdimConfig e, Map<String, String> s) {
        return e.toBuilder()
                .ndf(Integer.parseInt(s.getOrDefault("ndf", "" + e.ndf())))
                .nRkhs(Integer.parseInt(s.getOrDefault("nrkhs", "" + e.nRkhs())))
                .nDepth(Integer.parseInt(s.getOrDefault("depth", "" + e.nDepth())))
                .useBn(Boolean.parseBoolean(s.getOrDefault("bn", "" + e.useBn())))
                .build();
    }
}
