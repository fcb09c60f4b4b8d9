package dev.contrastive.cli;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.augment.transform.Preset;
import dev.contrastive.augment.transform.Presets;
import dev.contrastive.core.io.AtomicFiles;
import dev.contrastive.core.parallel.ProcessGroupSpec;
import dev.contrastive.core.parallel.ProcessGroups;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodConfig;
import dev.contrastive.models.method.MethodProvider;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.EarlyStopping;
import dev.contrastive.models.train.RunStart;
import dev.contrastive.models.train.Trainer;
import dev.contrastive.models.train.TrainerConfig;
import dev.contrastive.models.train.TrainingListener;
import dev.contrastive.models.train.TrainingResult;
import dev.contrastive.models.train.ValidationOptions;
import dev.contrastive.models.train.optim.AdamOptions;
import dev.contrastive.models.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.nd4j.shade.jackson.dataformat.yaml.YAMLMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code train}: trains a method of the registry ({@link Methods}) with {@link Trainer}, everything
 * written to a run directory.
 *
 * <p>Options come from flags, from a YAML or JSON file ({@code --config}) whose keys are the long
 * option names without dashes, or both (flags win). The options a run used are saved as {@code
 * job.yaml} in its run directory, and a later {@code train --run-dir DIR} without {@code --config}
 * reads them back, so rerunning the same command, or just naming the run directory, resumes the run
 * from its newest checkpoint; a completed run is left as it is.
 */
@Command(
        name = "train",
        sortOptions = false,
        usageHelpWidth = 100,
        mixinStandardHelpOptions = true,
        description = "Train a contrastive method (amdim, cpc, yadim, simclr); checkpoints, metrics.csv,"
                + " TensorBoard events and PNG curves go to the run directory. Rerun with the same --run-dir to"
                + " resume.",
        footerHeading = "%n",
        footer = {
            "Config file example (YAML; JSON works too), every key optional:",
            "  method: simclr",
            "  data: fashion-mnist:train",
            "  steps: 2000",
            "  batch: 64",
            "  lr: 1.0e-3",
            "  schedule: cosine",
            "Exit codes: 0 done; 1 training diverged or an engine fault; 2 bad options, data, run directory or",
            "a full disk (one line on stderr); 143 / 130 stopped by SIGTERM / SIGINT after a last checkpoint."
        })
public final class TrainCommand implements Callable<Integer> {

    /** The options file a run directory keeps. */
    public static final String JOB_FILE = "job.yaml";

    /**
     * The method of the main job (scripts/train.sh): of the four, the one whose features beat raw
     * pixels by the most within the main job's five minutes (bench-results/sweep-main-job.md).
     */
    static final String DEFAULT_METHOD = "amdim";

    private static final YAMLMapper YAML = new YAMLMapper();

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML or JSON file of options (keys: the long option names without --); flags override it.")
    private Path config;

    @Option(
            names = "--run-dir",
            defaultValue = "runs/fashion-mnist-small",
            paramLabel = "DIR",
            description = "Run directory: checkpoints, metrics, curves (default: ${DEFAULT-VALUE}).")
    private Path runDir;

    @Option(
            names = "--data",
            defaultValue = "fashion-mnist-subset:train",
            paramLabel = "DATA",
            description =
                    "Training images: a dataset path or fashion-mnist[-subset|-full][:train|:test] (default: ${DEFAULT-VALUE}).")
    private String data;

    @Option(
            names = "--val-data",
            defaultValue = "fashion-mnist-subset:test",
            paramLabel = "DATA",
            description = "Validation images, or 'none' (default: ${DEFAULT-VALUE}).")
    private String valData;

    @Option(
            names = "--method",
            defaultValue = DEFAULT_METHOD,
            paramLabel = "NAME",
            description = "The method: amdim, cpc, yadim or simclr (default: ${DEFAULT-VALUE}).")
    private String method;

    @Option(
            names = "--preset",
            defaultValue = "",
            paramLabel = "NAME",
            description = "Augmentation preset (default: the method's preset for the data's shape).")
    private String preset;

    @Option(
            names = "--encoder",
            defaultValue = "small",
            paramLabel = "SIZE",
            description = "small (trains in minutes on a few cores) or published (the paper's configuration"
                    + " for the data's size) (default: ${DEFAULT-VALUE}).")
    private String encoder;

    @Option(
            names = "--steps",
            defaultValue = "300",
            paramLabel = "N",
            description = "Optimiser steps; ignored when --epochs is set (default: ${DEFAULT-VALUE}).")
    private long steps;

    @Option(
            names = "--epochs",
            defaultValue = "0",
            paramLabel = "N",
            description = "Whole epochs instead of --steps; 0 = use --steps (default: ${DEFAULT-VALUE}).")
    private int epochs;

    // Batch 128 for 300 steps beat batch 64 for 600 (the same images) by 1.4 points of linear-probe
    // accuracy on the embedded subset: twice the negatives per anchor
    // (bench-results/sweep-main-job.md).
    @Option(
            names = "--batch",
            defaultValue = "128",
            paramLabel = "N",
            description = "Images per step (default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "N",
            description = "Seed of the data order, augmentations and loss sampling (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(
            names = "--model-seed",
            defaultValue = "1",
            paramLabel = "N",
            description = "Seed of the encoder's initial weights (default: ${DEFAULT-VALUE}).")
    private long modelSeed;

    @Option(
            names = "--augment-threads",
            defaultValue = "1",
            paramLabel = "N",
            description = "Augmentation worker threads; results do not depend on it (default: ${DEFAULT-VALUE}).")
    private int augmentThreads;

    @Option(
            names = "--replicas",
            defaultValue = "1",
            paramLabel = "N",
            description = "In-process replicas the batch is split across, each scoring its images against the whole"
                    + " gathered batch; 1 to 64, dividing --batch (default: ${DEFAULT-VALUE}).")
    private int replicas;

    @Option(
            names = "--micro-batch",
            defaultValue = "0",
            paramLabel = "M",
            description = "Encode each replica's share of the batch M images at a time (gradient caching: a batch"
                    + " larger than activation memory allows, one update per batch); 0 for one piece (default:"
                    + " ${DEFAULT-VALUE}).")
    private int microBatch;

    @Option(
            names = "--distributed",
            description = "One process of a job of one process per GPU, started by srun"
                    + " or torchrun: rank and size from RANK / WORLD_SIZE / LOCAL_RANK or SLURM_PROCID / SLURM_NTASKS /"
                    + " SLURM_LOCALID; --batch is the global batch. Needs the CUDA backend (a -Pcuda build). See"
                    + " docs/parallel.md.")
    private boolean distributed;

    @Option(
            names = "--checkpoint-every",
            defaultValue = "100",
            paramLabel = "N",
            description = "Steps between checkpoints; one is also written at the end (default: ${DEFAULT-VALUE}).")
    private long checkpointEvery;

    // AMDIM's published 2e-4 with a 500-step warm-up suits batch 200 over hundreds of epochs; runs of
    // minutes learn faster at 3e-3 after 50 steps (the sweep tried 1e-3, 2e-3, 3e-3 and 5e-3:
    // bench-results/sweep-main-job.md).
    @Option(
            names = "--lr",
            defaultValue = "3e-3",
            paramLabel = "RATE",
            description = "Adam learning rate (default: ${DEFAULT-VALUE}; AMDIM published 2e-4).")
    private double lr;

    @Option(
            names = "--warmup",
            defaultValue = "50",
            paramLabel = "N",
            description = "Linear warm-up steps, 0 for none (default: ${DEFAULT-VALUE}; AMDIM published 500).")
    private long warmup;

    @Option(
            names = "--schedule",
            defaultValue = "constant",
            paramLabel = "KIND",
            description =
                    "After warm-up: constant, cosine (to 0 at the last step) or step (default: ${DEFAULT-VALUE}).")
    private String schedule;

    @Option(
            names = "--step-every",
            defaultValue = "1000",
            paramLabel = "N",
            description = "For --schedule step: steps between decays (default: ${DEFAULT-VALUE}).")
    private long stepEvery;

    @Option(
            names = "--step-gamma",
            defaultValue = "0.1",
            paramLabel = "F",
            description = "For --schedule step: the decay factor (default: ${DEFAULT-VALUE}).")
    private double stepGamma;

    @Option(
            names = "--weight-decay",
            defaultValue = "1e-5",
            paramLabel = "F",
            description = "Adam weight decay (default: ${DEFAULT-VALUE}, AMDIM's, added to the gradient).")
    private double weightDecay;

    @Option(
            names = "--decoupled-weight-decay",
            defaultValue = "false",
            paramLabel = "BOOL",
            arity = "0..1",
            description = "AdamW-style decay instead (default: ${DEFAULT-VALUE}).")
    private boolean decoupled;

    @Option(
            names = "--max-grad-norm",
            defaultValue = "0",
            paramLabel = "F",
            description = "Clip the global gradient norm to this; 0 = no clipping (default: ${DEFAULT-VALUE}).")
    private double maxGradNorm;

    @Option(
            names = "--validate-every",
            defaultValue = "0",
            paramLabel = "N",
            description = "Steps between validations; 0 = each epoch end (default: ${DEFAULT-VALUE}).")
    private long validateEvery;

    @Option(
            names = "--val-batches",
            defaultValue = "0",
            paramLabel = "N",
            description = "Validation batches per validation; 0 = all (default: ${DEFAULT-VALUE}).")
    private int valBatches;

    @Option(
            names = "--early-stop",
            defaultValue = "val_loss",
            paramLabel = "METRIC",
            description =
                    "Metric early stopping watches: val_loss, val_nce_acc or val_online_acc (default: ${DEFAULT-VALUE}).")
    private String earlyStopMetric;

    @Option(
            names = "--patience",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Validations without improvement before stopping; 0 = no early stopping (default: ${DEFAULT-VALUE}).")
    private int patience;

    @Option(
            names = "--min-delta",
            defaultValue = "0",
            paramLabel = "F",
            description = "Least change that counts as an improvement (default: ${DEFAULT-VALUE}).")
    private double minDelta;

    @Option(
            names = "--restart",
            description = "Start the run afresh in a run directory whose every"
                    + " checkpoint is damaged (they are kept aside as *.damaged); never needed otherwise.")
    private boolean restart;

    @Option(
            names = "--max-minutes",
            defaultValue = "0",
            paramLabel = "MIN",
            description = "Stop (with a checkpoint) after this much training time in this process; 0 = no limit;"
                    + " a rerun continues (default: ${DEFAULT-VALUE}).")
    private double maxMinutes;

    @Option(
            names = "--online-lr",
            defaultValue = "1e-3",
            paramLabel = "RATE",
            description = "Step size of the online linear evaluator on the probe features; 0 = off (default:"
                    + " ${DEFAULT-VALUE}).")
    private double onlineLr;

    private final Function<String, Dataset> datasets;

    /**
     * @param datasets opens a {@code --data} spec; the command closes what it returns
     */
    public TrainCommand(Function<String, Dataset> datasets) {
        this.datasets = datasets;
    }

    @Override
    public Integer call() {
        return ExitCodes.run(spec, this::run);
    }

    private int run() throws IOException {
        Path fromFile = config;
        if (fromFile != null && !Files.isRegularFile(fromFile)) {
            throw new IllegalArgumentException("--config "
                    + fromFile
                    + (Files.isDirectory(fromFile) ? " is a directory, not a YAML or JSON file" : " does not exist"));
        }
        if (fromFile == null && Files.isRegularFile(runDir.resolve(JOB_FILE))) {
            fromFile = runDir.resolve(JOB_FILE);
            if (optionsFrom(fromFile).isEmpty()) {
                throw new IllegalArgumentException(fromFile
                        + " is empty: the options of the run in "
                        + runDir
                        + " are lost; give them again (--config or flags), or restore the file");
            }
        }
        if (fromFile == null) {
            return train();
        }
        // Re-parse with the file's options first, so the flags given now override them.
        TrainCommand merged = new TrainCommand(datasets);
        CommandLine line = new CommandLine(merged)
                .setOverwrittenOptionsAllowed(true)
                .setOut(spec.commandLine().getOut())
                .setErr(spec.commandLine().getErr());
        List<String> args = optionsFrom(fromFile);
        // The options given now, as typed (originalArgs would also hold the parent command's words).
        for (OptionSpec given : spec.commandLine().getParseResult().matchedOptions()) {
            if (given.originalStringValues().isEmpty()) {
                args.add(given.longestName());
            }
            for (String value : given.originalStringValues()) {
                args.add(given.longestName() + "=" + value);
            }
        }
        try {
            line.parseArgs(args.toArray(String[]::new));
        } catch (ParameterException e) {
            throw new IllegalArgumentException(fromFile + ": " + e.getMessage(), e);
        }
        return merged.train();
    }

    /**
     * The file's keys as {@code --key=value} arguments; unknown keys are an error naming the file.
     */
    private List<String> optionsFrom(Path file) throws IOException {
        JsonNode tree;
        try {
            tree = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid YAML or JSON: " + e.getOriginalMessage(), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return new ArrayList<>();
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new IllegalArgumentException(
                    file + " must hold a map of option names to values, found " + tree.getNodeType());
        }
        List<String> args = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            OptionSpec option = spec.findOption("--" + e.getKey());
            if (option == null || !savable(option)) {
                throw new IllegalArgumentException(
                        file + ": unknown key '" + e.getKey() + "'; known keys: " + String.join(", ", knownKeys()));
            }
            if (!e.getValue().isValueNode()) {
                throw new IllegalArgumentException(file
                        + ": key '"
                        + e.getKey()
                        + "' must have a single value, found "
                        + e.getValue().getNodeType());
            }
            args.add("--" + e.getKey() + "=" + e.getValue().asText());
        }
        return args;
    }

    private List<String> knownKeys() {
        List<String> keys = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (savable(o)) {
                keys.add(o.longestName().substring(2));
            }
        }
        return keys;
    }

    /**
     * The options a config file or job.yaml may set: all but --config itself, --help/--version, and
     * --distributed, which says how this launch runs, not what the run is (one process may resume
     * it).
     */
    private static boolean savable(OptionSpec o) {
        return !o.longestName().equals("--config")
                && !o.longestName().equals("--distributed")
                && !o.usageHelp()
                && !o.versionHelp();
    }

    private int train() throws IOException {
        MethodProvider<?> provider = option("--method", () -> Methods.get(method));
        try (Dataset train = open("--data", data);
                Dataset validation = "none".equals(valData) ? null : open("--val-data", valData)) {
            String presetName =
                    preset.isEmpty() ? option("--preset", () -> provider.defaultPreset(train.info())) : preset;
            Preset chosen = option("--preset", () -> Presets.byName(presetName));
            ItemShape dataShape = ItemShape.image(
                    train.info().channels(), train.info().height(), train.info().width());
            ItemShape image = option("--preset", () -> {
                try {
                    return chosen.evaluation().outputShape(dataShape);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "preset '"
                                    + presetName
                                    + "' cannot take '"
                                    + train.info().name()
                                    + "' ("
                                    + dataShape
                                    + "): "
                                    + e.getMessage(),
                            e);
                }
            });
            MethodConfig methodConfig = option("--encoder", () -> provider.defaultConfig(image, encoder));
            TrainerConfig trainerConfig = trainerConfig(methodConfig, presetName, train);
            ProcessGroupSpec group = distributed ? processGroup() : null;
            try (Method model = Methods.create(methodConfig, modelSeed);
                    SignalStop signals = SignalStop.install();
                    ProcessGroups.Group collectives = group == null ? null : ProcessGroups.open(group)) {
                Trainer trainer = option("--preset", () -> new Trainer(trainerConfig, model, train))
                        .inDirectory(runDir, restart ? Trainer.RunMode.NEW : Trainer.RunMode.RESUME_OR_NEW)
                        .listen(signals.listener());
                boolean writes = group == null || group.rank() == 0;
                if (writes) {
                    // Rank 0 reports and writes for the job; the other ranks' lines would repeat its own.
                    trainer.listen(TrainingProgress.forConsole())
                            .listen(new JobFile())
                            .listen(new Curves());
                }
                if (collectives != null) {
                    option("--distributed", () -> trainer.inProcessGroup(collectives));
                }
                if (validation != null) {
                    option("--val-data", () -> trainer.validateOn(validation));
                }
                if (maxMinutes > 0) {
                    trainer.withTimeLimit(Duration.ofMillis(Math.round(maxMinutes * 60_000)));
                }
                TrainingResult result = trainer.fit();
                if (writes) {
                    printSummary(result);
                }
                return 0;
            }
        }
    }

    /**
     * This process's place in the job the launcher started, or null for a job of one process (no
     * launcher variables, or a world of one), which trains as without --distributed.
     */
    private ProcessGroupSpec processGroup() {
        String unavailable = ProcessGroups.unavailableReason();
        if (unavailable != null) {
            throw new IllegalArgumentException("--distributed: " + unavailable);
        }
        ProcessGroupSpec group = option(
                        "--distributed", () -> ProcessGroupSpec.fromEnvironment(System.getenv(), runDir))
                .orElse(null);
        if (group == null) {
            spec.commandLine()
                    .getErr()
                    .println("--distributed: no launcher variables for more than one process"
                            + " (RANK / WORLD_SIZE, or SLURM_NTASKS in an srun step); training as one process");
        }
        return group;
    }

    /** {@code value}, or an error naming {@code option} with the reason it was refused. */
    private static <T> T option(String option, Supplier<T> value) {
        try {
            return value.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    private Dataset open(String option, String dataSpec) {
        try {
            return datasets.apply(dataSpec);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new IllegalArgumentException(option + " '" + dataSpec + "' cannot be opened: " + e.getMessage(), e);
        }
    }

    /** The options as a validated config; a bad value is a usage error naming its option. */
    private TrainerConfig trainerConfig(MethodConfig methodConfig, String presetName, Dataset train) {
        try {
            if (!(maxMinutes >= 0 && Double.isFinite(maxMinutes))) {
                throw new IllegalArgumentException("--max-minutes must be >= 0 (0 = no limit), got " + maxMinutes);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup must be >= 0 (0 = none), got " + warmup);
            }
            long totalSteps = epochs > 0 ? (long) epochs * (train.info().size() / batch) : steps;
            LearningRateSchedule after = switch (schedule) {
                case "constant" -> LearningRateSchedule.constant();
                case "cosine" -> new LearningRateSchedule.Cosine(0, Math.max(2, totalSteps));
                case "step" -> new LearningRateSchedule.StepDecay(stepGamma, stepEvery);
                default ->
                    throw new IllegalArgumentException(
                            "--schedule must be constant, cosine or step, got '" + schedule + "'");
            };
            LearningRateSchedule rates = warmup > 0 ? new LearningRateSchedule.WarmUp(warmup, after) : after;
            EarlyStopping stopping = new EarlyStopping(monitor(earlyStopMetric), patience, minDelta);
            TrainerConfig.Builder b = TrainerConfig.builder(methodConfig).preset(presetName);
            if (epochs > 0) {
                b.epochs(epochs);
            } else {
                b.steps(steps);
            }
            return b.batch(batch)
                    .seed(seed)
                    .augmentThreads(augmentThreads)
                    .split(replicas, microBatch)
                    .checkpointEvery(checkpointEvery)
                    .adam(AdamOptions.amdim()
                            .withLr(lr)
                            .withWeightDecay(weightDecay, decoupled)
                            .withMaxGradNorm(maxGradNorm))
                    .schedule(rates)
                    .validation(new ValidationOptions(validateEvery, valBatches, stopping))
                    .onlineProbeLr(onlineLr)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad training options: " + e.getMessage(), e);
        }
    }

    private static EarlyStopping.Monitor monitor(String name) {
        return switch (name) {
            case "val_loss" -> EarlyStopping.Monitor.VAL_LOSS;
            case "val_nce_acc" -> EarlyStopping.Monitor.VAL_NCE_ACCURACY;
            case "val_online_acc" -> EarlyStopping.Monitor.VAL_ONLINE_ACCURACY;
            default ->
                throw new IllegalArgumentException(
                        "--early-stop must be val_loss, val_nce_acc or val_online_acc, got '" + name + "'");
        };
    }

    /** The closing lines of a run on standard output, after the log. */
    private void printSummary(TrainingResult r) {
        PrintWriter out = spec.commandLine().getOut();
        String why = switch (r.stop()) {
            case COMPLETED -> "";
            case EARLY_STOPPING -> " (stopped early)";
            case TIME_LIMIT -> " (time limit; rerun to continue)";
            case REQUESTED -> " (stopped by a signal; rerun to continue)";
        };
        out.printf(
                Locale.ROOT,
                "trained %d of %d steps%s; checkpoint %s%n",
                r.steps(),
                r.plannedSteps(),
                why,
                r.checkpoint().map(Path::toString).orElse("none"));
        r.lastValidation()
                .ifPresent(v -> out.printf(
                        Locale.ROOT,
                        "validation after step %d: loss %.4f, nce accuracy %.4f, online linear accuracy %s%n",
                        v.step(),
                        v.loss(),
                        v.accuracy(),
                        Double.isNaN(v.onlineAccuracy())
                                ? "n/a"
                                : String.format(Locale.ROOT, "%.4f", v.onlineAccuracy())));
        out.printf(
                "metrics %s, curves %s and %s; tensorboard --logdir %s%n",
                runDir.resolve(Trainer.METRICS_CSV),
                runDir.resolve("loss.png"),
                runDir.resolve("accuracy.png"),
                runDir);
        // Last, in a fixed form: scripts/train.sh reads it to find the run it evaluates.
        out.println("run directory: " + runDir);
        out.flush();
    }

    /**
     * Saves the options of this run when it starts, so naming the run directory alone resumes it:
     * after the trainer accepted the run directory, so a refused resume leaves the saved options as
     * they were.
     */
    private final class JobFile implements TrainingListener {
        @Override
        public void onStart(RunStart start) {
            Map<String, String> job = new TreeMap<>();
            for (OptionSpec o : spec.options()) {
                if (savable(o)) {
                    job.put(o.longestName().substring(2), Objects.toString(o.getValue()));
                }
            }
            try {
                AtomicFiles.write(runDir.resolve(JOB_FILE), YAML.writeValueAsBytes(job));
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    /**
     * Draws loss.png and accuracy.png from the run's metrics.csv when the run ends; the trainer, a
     * library, draws no charts. Every row is flushed when logged, so the CSV is complete here.
     */
    private final class Curves implements TrainingListener {
        @Override
        public void onEnd(TrainingResult result) {
            try {
                CurvePlots.write(runDir.resolve(Trainer.METRICS_CSV), runDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot draw the curves of " + runDir + ": " + e.getMessage(), e);
            }
        }
    }
}
