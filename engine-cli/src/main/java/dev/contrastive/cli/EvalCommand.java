package dev.contrastive.cli;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.models.eval.Evaluation;
import dev.contrastive.models.eval.EvaluationOptions;
import dev.contrastive.models.eval.EvaluationOptions.Probe;
import dev.contrastive.models.eval.EvaluationReport;
import dev.contrastive.models.eval.EvaluationReport.Scores;
import dev.contrastive.models.eval.ProbeOptions;
import dev.contrastive.models.eval.ProbeResult;
import dev.contrastive.models.train.TrainedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code eval}: linear (and optionally MLP and kNN) probes on a checkpoint's frozen features,
 * fitted on the train split and scored on the test split, optionally beside the raw-pixel and
 * random-init baselines; prints one line per accuracy and writes the full report as JSON.
 */
@Command(
        name = "eval",
        sortOptions = false,
        usageHelpWidth = 100,
        description = "Evaluate a checkpoint's features with probes fitted on a train split.",
        footerHeading = "%n",
        footer = {
            "Output: one line per accuracy, e.g. with --baselines:",
            "  linear probe test accuracy (learned amdim, step 2000): 0.8123",
            "  linear probe test accuracy (raw pixels):         0.8456",
            "  linear probe test accuracy (random-init encoder): 0.6530",
            "then the same for mlp probe and knn when asked for, the train accuracies, and where the",
            "JSON report went. Images go through the evaluation transform of the augmentation preset",
            "the checkpoint trained with (recorded in it).",
            "Exit codes: 0 ok, 2 bad input, options or environment (one message on stderr), 1 engine fault."
        })
public final class EvalCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private CheckpointOptions source;

    @Option(
            names = "--train-data",
            defaultValue = "fashion-mnist:train",
            paramLabel = "SPEC",
            description = "Split the probes are fitted on (default: ${DEFAULT-VALUE}).")
    private String trainData;

    @Option(
            names = "--test-data",
            defaultValue = "fashion-mnist:test",
            paramLabel = "SPEC",
            description = "Split the probes are scored on (default: ${DEFAULT-VALUE}).")
    private String testData;

    @Option(
            names = "--probes",
            split = ",",
            defaultValue = "linear",
            paramLabel = "NAME[,NAME]",
            description = "Any of linear, mlp, knn (default: ${DEFAULT-VALUE}).")
    private List<String> probes;

    @Option(
            names = "--baselines",
            description = "Also measure raw pixels and a randomly initialised model of the same"
                    + " configuration (the same features).")
    private boolean baselines;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "JSON report (default: eval.json in the checkpoint's run directory).")
    private Path out;

    @Option(
            names = "--batch",
            defaultValue = "256",
            paramLabel = "N",
            description = "Images per feature-extraction batch, 1 to 65536 (default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(
            names = "--probe-epochs",
            paramLabel = "N",
            description = "Most epochs of the linear and MLP probes, 1 to 10000; the epoch kept is the best on"
                    + " 10%% of the train split held out (default: 300; fitting stops 50 epochs after the best).")
    private Integer probeEpochs;

    @Option(
            names = "--seed",
            defaultValue = "0",
            paramLabel = "N",
            description = "Seed of the probes and of the random-init encoder (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Mixin
    private HelpOption help;

    @Override
    public Integer call() {
        return ExitCodes.run(spec, this::evaluate);
    }

    private int evaluate() throws IOException {
        if (batch < 1 || batch > 65536) {
            throw new IllegalArgumentException("--batch must be in [1, 65536], got " + batch);
        }
        Set<Probe> chosen = EnumSet.noneOf(Probe.class);
        for (String name : probes) {
            chosen.add(Probe.byCliName(name.trim().toLowerCase(Locale.ROOT)));
        }
        ProbeOptions defaults = ProbeOptions.defaults();
        ProbeOptions probe = ProbeOptions.defaults().withSeed(seed);
        if (probeEpochs != null) {
            probe = probe.withEpochs(probeEpochs);
        }
        EvaluationOptions options = EvaluationOptions.defaults()
                .withProbes(chosen)
                .withBaselines(baselines)
                .withProbe(probe)
                .withRandomInitSeed(seed);
        Path report = out != null
                ? out
                : (Files.isDirectory(source.checkpoint)
                                ? source.checkpoint
                                : source.checkpoint.toAbsolutePath().getParent())
                        .resolve("eval.json");
        // Checked before the minutes of evaluation, not after.
        CommandInputs.writableOutput("--out", report);

        EvaluationReport result;
        try (TrainedModel trained = source.load();
                Dataset train = CommandInputs.dataset("--train-data", trainData);
                Dataset test = CommandInputs.dataset("--test-data", testData)) {
            result = new Evaluation(options).run(trained, train, test, batch);
        }
        // The accuracies first: a report that cannot be written must not cost the user the results.
        print(result);
        result.writeJson(report);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                Locale.ROOT,
                "eval: wrote %s (%d train, %d test images, %.1f s)%n",
                report,
                result.train().size(),
                result.test().size(),
                result.seconds());
        o.flush();
        return 0;
    }

    private void print(EvaluationReport r) {
        PrintWriter o = spec.commandLine().getOut();
        String learned = "(learned " + r.method() + ", step " + r.step() + "): ";
        // The exact baseline lines scripts/train.sh greps for; do not change their spacing.
        String raw = "(raw pixels):         ";
        String random = "(random-init encoder): ";
        for (Probe p : r.options().probes()) {
            line(o, p, "test", learned, r.learned());
            if (r.options().baselines()) {
                line(o, p, "test", raw, r.rawPixels());
                line(o, p, "test", random, r.randomInit());
            }
        }
        for (Probe p : r.options().probes()) {
            if (p != Probe.KNN) {
                line(o, p, "train", learned, r.learned());
                if (r.options().baselines()) {
                    line(o, p, "train", raw, r.rawPixels());
                    line(o, p, "train", random, r.randomInit());
                }
            }
        }
        o.flush();
    }

    private static void line(PrintWriter o, Probe p, String split, String label, Scores s) {
        double accuracy = switch (p) {
            case LINEAR -> pick(s.linear(), split);
            case MLP -> pick(s.mlp(), split);
            case KNN -> s.knnAccuracy();
        };
        String probe = p == Probe.KNN ? "knn" : p.cliName() + " probe";
        o.printf(Locale.ROOT, "%s %s accuracy %s%.4f%n", probe, split, label, accuracy);
    }

    private static double pick(ProbeResult r, String split) {
        return split.equals("test") ? r.testAccuracy() : r.trainAccuracy();
    }
}
