package dev.contrastive.cli.loss;

import dev.contrastive.core.io.AtomicFiles;
import dev.contrastive.core.io.Npy;
import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimLoss;
import dev.contrastive.core.loss.YadimOptions;
import dev.contrastive.core.tensor.TensorChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code loss}: computes one loss and its gradients from {@code .npy} inputs, so that another
 * implementation (scripts/loss_reference.py) can check them on exactly the same inputs and source
 * locations.
 *
 * <p>The files of one run are committed as one unit ({@link AtomicFiles#replaceDirectory}): they
 * are written into a hidden sibling of --out, which is fsync'd and then renamed to --out, the
 * previous --out renamed aside first and deleted after. A reader, a full disk or a kill therefore
 * never shows one run's gradients beside another run's loss.json. The price is that --out is
 * replaced as a whole, so a directory holding anything but this command's outputs is refused rather
 * than emptied. A loss or gradient that is not finite (scores that overflowed) is an error, and
 * nothing is written.
 */
@Command(
        name = "loss",
        sortOptions = false,
        usageHelpWidth = 100,
        description = "Compute a contrastive loss and its gradients from .npy files.",
        footerHeading = "%n",
        footer = {
            "Input files in --in (float32 or float64; a tensor named in an error message is the file of",
            "that name without .npy):",
            "  infonce  a.npy, b.npy              (B, D) features of views A and B, row i = image i",
            "  amdim    a_<map>.npy, b_<map>.npy  (B, D, H, W) map of each view for every map named in",
            "                                     --comparisons; a one-location map (r1) may be (B, D)",
            "  yadim    a.npy, b.npy              (B, D, H, W) or (B, D) last feature maps",
            "  cpc      targets.npy               (B, D, H, W) target patch vectors",
            "           pred_k<k>.npy             (B, D, H, W) predictions for row offset k, for every",
            "                                     k = steps-to-skip .. steps-to-skip + steps-to-predict -" + " 1",
            "Source locations (amdim, yadim; optional in --in, all that are needed or none):",
            "  src_loc_<src>_<trg>_<ab|ba>.npy    int32/int64 (B): location h * W + w of each image's",
            "                                     source vector in map <src>, for the comparison" + " <src>:<trg>",
            "                                     from view A to B (ab) or B to A (ba); yadim's are",
            "                                     src_loc_last_last_ab.npy and src_loc_last_last_ba.npy.",
            "                                     When none are given they are sampled with --seed.",
            "Output files in --out, written as one unit: into a hidden sibling directory that then",
            "replaces --out, so --out holds the complete output of the previous run or of this one,",
            "never a mix (a crash between the two renames leaves it absent and the previous output in",
            "the sibling .<name>.*.old). --out must be new, empty or hold only these files:",
            "  loss.json                          type, loss, parts, meanPositive, meanNegative," + " accuracy,",
            "                                     options, inputShapes; NaN is written as null",
            "  grad_<name>.npy                    d loss / d input for every input, e.g. grad_a.npy,",
            "                                     grad_a_r5.npy, grad_targets.npy, grad_pred_k2.npy",
            "  src_loc_<src>_<trg>_<ab|ba>.npy    every source location array used (amdim, yadim)",
            "Exit codes: 0 ok; 2 bad input or options, a loss or gradient that is not finite (scores",
            "overflowed; nothing written), or outputs that could not be written (--out is left as it",
            "was); 1 an internal error of the engine. Errors but the internal ones are one line on stderr."
        })
public final class LossCommand implements Callable<Integer> {

    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_WRITE_FAILED = 2;

    private static final String REPORT = "loss.json";

    /** The losses this command computes, by their command-line names. */
    enum LossType {
        INFONCE,
        AMDIM,
        CPC,
        YADIM;

        String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Accepts the lower-case names the usage help shows. */
    static final class LossTypeConverter implements ITypeConverter<LossType> {
        @Override
        public LossType convert(String value) {
            for (LossType type : LossType.values()) {
                if (type.cliName().equals(value)) {
                    return type;
                }
            }
            throw new TypeConversionException("expected one of infonce, amdim, cpc, yadim, got '" + value + "'");
        }
    }

    /** Options that only some types read; giving one to another type is an error, not a no-op. */
    private static final Map<String, Set<LossType>> TYPE_SPECIFIC_OPTIONS = Map.of(
            "--temperature", EnumSet.of(LossType.INFONCE),
            "--no-normalize", EnumSet.of(LossType.INFONCE),
            "--tclip", EnumSet.of(LossType.AMDIM, LossType.YADIM),
            "--reg-weight", EnumSet.of(LossType.AMDIM, LossType.YADIM),
            "--seed", EnumSet.of(LossType.AMDIM, LossType.YADIM),
            "--comparisons", EnumSet.of(LossType.AMDIM),
            "--steps-to-skip", EnumSet.of(LossType.CPC),
            "--steps-to-predict", EnumSet.of(LossType.CPC),
            "--emb-scale", EnumSet.of(LossType.CPC));

    /** YADIM is AMDIM with this one comparison; its sampler keys are last_last_ab and _ba. */
    private static final AmdimComparison YADIM_COMPARISON = new AmdimComparison("last", "last");

    private static final String GRADIENT_PREFIX = "grad_";

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--type",
            required = true,
            paramLabel = "TYPE",
            converter = LossTypeConverter.class,
            description = "Loss to compute: infonce, amdim, cpc or yadim.")
    private LossType type;

    @Option(
            names = "--in",
            required = true,
            paramLabel = "DIR",
            description = "Directory holding the input .npy files (see below).")
    private Path inputDir;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory for loss.json, grad_*.npy and src_loc_*.npy, replaced as a whole (see below).")
    private Path outputDir;

    // Unset options stay null and the options record's published default applies.
    @Option(
            names = "--temperature",
            paramLabel = "T",
            description = "infonce: divides every score, in (0, 1e4]; default 0.1.")
    private Double temperature;

    @Option(names = "--no-normalize", description = "infonce: score raw features instead of L2-normalised ones.")
    private boolean noNormalize;

    @Option(
            names = "--tclip",
            paramLabel = "C",
            description = "amdim, yadim: soft-clip bound, in (0, 1e4]; default 20.0.")
    private Double tclip;

    @Option(
            names = "--reg-weight",
            paramLabel = "W",
            description = "amdim, yadim: weight of the pre-clip score regulariser, in [0, 10]; default 0.05.")
    private Double regWeight;

    @Option(
            names = "--comparisons",
            split = ",",
            paramLabel = "SRC:TRG",
            description = "amdim: comparisons, each scored in both directions; default r1:r5,r1:r7,r5:r5.")
    private List<String> comparisons;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "0",
            description = "amdim, yadim: seed of the sampled source locations; default ${DEFAULT-VALUE}.")
    private long seed;

    @Option(
            names = "--steps-to-skip",
            paramLabel = "K",
            description = "cpc: first row offset predicted, in [1, 64]; default 2.")
    private Integer stepsToSkip;

    @Option(
            names = "--steps-to-predict",
            paramLabel = "N",
            description = "cpc: number of offsets predicted, in [1, 64]; default 3.")
    private Integer stepsToPredict;

    @Option(
            names = "--emb-scale",
            paramLabel = "S",
            description = "cpc: multiplies every score, in (0, 1e4]; default 0.1.")
    private Double embScale;

    @Option(
            names = "--tile-rows",
            paramLabel = "R",
            description = "Score rows per tile of the fused kernel, at least 1; default 256.")
    private Integer tileRows;

    @Option(
            names = "--tile-cols",
            paramLabel = "C",
            description = "Score columns per tile of the fused kernel, at least 1; default 65536.")
    private Integer tileCols;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    private boolean helpRequested;

    /** A loss computed on the inputs, with the options it used as they go into loss.json. */
    private record Computation(LossResult result, ObjectNode options) {}

    /** How the source locations were chosen, and the sampler that supplies them. */
    private record SourcePlan(String origin, SourceSampler sampler) {}

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws IOException {
        try {
            rejectOptionsOfOtherTypes();
            // Before the computation, which can take minutes.
            requireReplaceableOutput();
            try (InputDirectory inputs = new InputDirectory(inputDir)) {
                Computation computation = switch (type) {
                    case INFONCE -> infonce(inputs);
                    case AMDIM -> amdim(inputs);
                    case YADIM -> yadim(inputs);
                    case CPC -> cpc(inputs);
                };
                try (LossResult result = computation.result()) {
                    requireFinite(result);
                    try {
                        writeOutputs(result, computation.options(), inputs);
                    } catch (IOException writeFailed) {
                        // It names the file and the cause (a full disk, a read-only directory).
                        spec.commandLine().getErr().println("loss: " + writeFailed.getMessage());
                        return EXIT_WRITE_FAILED;
                    }
                    spec.commandLine()
                            .getOut()
                            .printf(
                                    Locale.ROOT,
                                    "%s loss %.6g: loss.json and %d gradients written to %s%n",
                                    type.cliName(),
                                    result.loss(),
                                    result.gradients().size(),
                                    outputDir);
                }
            }
            return 0;
        } catch (IllegalArgumentException badInput) {
            // The losses, the option records and Npy all report bad input this way, naming the tensor
            // or file; anything else is unexpected and keeps picocli's stack trace and exit code 1.
            spec.commandLine().getErr().println("loss: " + badInput.getMessage());
            return EXIT_BAD_INPUT;
        }
    }

    private void rejectOptionsOfOtherTypes() {
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            Set<LossType> types = TYPE_SPECIFIC_OPTIONS.get(option.longestName());
            if (types != null && !types.contains(type)) {
                throw new IllegalArgumentException(option.longestName()
                        + " does not apply to --type "
                        + type.cliName()
                        + ", only to "
                        + types.stream().map(LossType::cliName).toList());
            }
        }
    }

    private Tiling tiling() {
        return new Tiling(
                tileRows != null ? tileRows : Tiling.DEFAULT.rows(),
                tileCols != null ? tileCols : Tiling.DEFAULT.columns());
    }

    private Computation infonce(InputDirectory inputs) throws IOException {
        InfoNceOptions options = InfoNceOptions.defaults().withTiling(tiling());
        if (temperature != null) {
            options = options.withTemperature(temperature);
        }
        if (noNormalize) {
            options = options.withNormalize(false);
        }
        INDArray a = inputs.features("a", "view A's features (B, D)", 2);
        INDArray b = inputs.features("b", "view B's features (B, D), row i the image of a.npy's row i", 2);
        ObjectNode used = json.createObjectNode();
        used.put("temperature", options.temperature());
        used.put("normalize", options.normalize());
        putTiling(used, options.tiling());
        return new Computation(new InfoNceLoss(options).compute(a, b), used);
    }

    private Computation amdim(InputDirectory inputs) throws IOException {
        AmdimOptions options = AmdimOptions.defaults().withTiling(tiling());
        if (comparisons != null) {
            options = options.withComparisons(
                    comparisons.stream().map(AmdimComparison::parse).toList());
        }
        if (tclip != null) {
            options = options.withTclip(tclip);
        }
        if (regWeight != null) {
            options = options.withRegWeight(regWeight);
        }
        Set<String> mapNames = new LinkedHashSet<>();
        for (AmdimComparison comparison : options.comparisons()) {
            mapNames.add(comparison.source());
            mapNames.add(comparison.target());
        }
        Map<String, INDArray> viewA = new LinkedHashMap<>();
        Map<String, INDArray> viewB = new LinkedHashMap<>();
        for (String map : mapNames) {
            String layout = " feature map " + map + " (B, D, H, W), or (B, D) with one location";
            viewA.put(map, inputs.features("a_" + map, "view A's" + layout, 2, 4));
            viewB.put(map, inputs.features("b_" + map, "view B's" + layout, 2, 4));
        }
        List<AmdimComparison> sampled = new ArrayList<>();
        for (AmdimComparison comparison : options.comparisons()) {
            if (locationCount(viewA.get(comparison.source())) > 1) {
                sampled.add(comparison);
            }
        }
        SourcePlan plan = sourcePlan(inputs, sampled);
        ObjectNode used = json.createObjectNode();
        used.put("tclip", options.tclip());
        used.put("regWeight", options.regWeight());
        ArrayNode comparisonSpecs = used.putArray("comparisons");
        options.comparisons().forEach(c -> comparisonSpecs.add(c.source() + ":" + c.target()));
        putSourcePlan(used, plan);
        putTiling(used, options.tiling());
        return new Computation(new AmdimLoss(options).compute(viewA, viewB, plan.sampler()), used);
    }

    private Computation yadim(InputDirectory inputs) throws IOException {
        YadimOptions options = YadimOptions.defaults().withTiling(tiling());
        if (tclip != null) {
            options = options.withTclip(tclip);
        }
        if (regWeight != null) {
            options = options.withRegWeight(regWeight);
        }
        String layout = " last feature map (B, D, H, W) or (B, D)";
        INDArray a = inputs.features("a", "view A's" + layout, 2, 4);
        INDArray b = inputs.features("b", "view B's" + layout, 2, 4);
        SourcePlan plan = sourcePlan(inputs, locationCount(a) > 1 ? List.of(YADIM_COMPARISON) : List.of());
        ObjectNode used = json.createObjectNode();
        used.put("tclip", options.tclip());
        used.put("regWeight", options.regWeight());
        putSourcePlan(used, plan);
        putTiling(used, options.tiling());
        return new Computation(new YadimLoss(options).compute(a, b, plan.sampler()), used);
    }

    private Computation cpc(InputDirectory inputs) throws IOException {
        CpcOptions defaults = CpcOptions.defaults();
        CpcOptions options = defaults.withTiling(tiling())
                .withSteps(
                        stepsToSkip != null ? stepsToSkip : defaults.stepsToSkip(),
                        stepsToPredict != null ? stepsToPredict : defaults.stepsToPredict());
        if (embScale != null) {
            options = options.withEmbScale(embScale);
        }
        INDArray targets = inputs.features("targets", "target patch vectors (B, D, H, W)", 4);
        List<INDArray> predictions = new ArrayList<>();
        for (int step = 0; step < options.stepsToPredict(); step++) {
            int k = options.offset(step);
            predictions.add(inputs.features("pred_k" + k, "predictions for row offset k = " + k + " (B, D, H, W)", 4));
        }
        ObjectNode used = json.createObjectNode();
        used.put("stepsToSkip", options.stepsToSkip());
        used.put("stepsToPredict", options.stepsToPredict());
        used.put("embScale", options.embScale());
        putTiling(used, options.tiling());
        return new Computation(new CpcLoss(options).compute(targets, predictions), used);
    }

    private static long locationCount(INDArray map) {
        return map.rank() == 4 ? map.size(2) * map.size(3) : 1;
    }

    /**
     * Source locations for the comparisons whose source map has several locations: all given as
     * {@code src_loc_<key>.npy} in --in, or none given and sampled with --seed.
     */
    private SourcePlan sourcePlan(InputDirectory inputs, List<AmdimComparison> sampled) throws IOException {
        Map<String, String> needed = new LinkedHashMap<>();
        for (AmdimComparison c : sampled) {
            for (boolean aToB : new boolean[] {true, false}) {
                needed.put(
                        c.samplerKey(aToB),
                        "int32/int64 (B) locations h * W + w of the source vectors of "
                                + c.name()
                                + (aToB ? " from view A to view B" : " from view B to view A"));
            }
        }
        Set<String> given = inputs.locationKeys();
        for (String key : given) {
            if (!needed.containsKey(key)) {
                throw new IllegalArgumentException(InputDirectory.LOCATION_PREFIX
                        + key
                        + ".npy in "
                        + inputs.dir()
                        + " is not used: the sampled sources here need "
                        + locationFiles(needed.keySet())
                        + " (remove the file or change the comparisons)");
            }
        }
        if (given.isEmpty()) {
            return new SourcePlan(needed.isEmpty() ? "none" : "sampled", SourceSampler.random(seed));
        }
        Map<String, int[]> locations = new LinkedHashMap<>();
        for (Map.Entry<String, String> key : needed.entrySet()) {
            if (!given.contains(key.getKey())) {
                throw new IllegalArgumentException(InputDirectory.LOCATION_PREFIX
                        + key.getKey()
                        + ".npy is missing from "
                        + inputs.dir()
                        + ": it should hold "
                        + key.getValue()
                        + "; give all of "
                        + locationFiles(needed.keySet())
                        + " or none (then they are sampled with --seed)");
            }
            locations.put(key.getKey(), inputs.locations(key.getKey(), key.getValue()));
        }
        return new SourcePlan("given", SourceSampler.fixed(locations));
    }

    private static List<String> locationFiles(Set<String> keys) {
        return keys.stream()
                .map(key -> InputDirectory.LOCATION_PREFIX + key + ".npy")
                .toList();
    }

    private void putSourcePlan(ObjectNode used, SourcePlan plan) {
        used.put("sourceLocations", plan.origin());
        used.put("seed", seed);
    }

    private static void putTiling(ObjectNode used, Tiling tiling) {
        used.put("tileRows", tiling.rows());
        used.put("tileCols", tiling.columns());
    }

    /**
     * Scores that overflow (raw features of large norm, a tiny temperature) make the loss or its
     * gradients NaN or infinite; such numbers would pass for a result in loss.json and the .npy
     * files, so the run fails before anything is written.
     */
    private void requireFinite(LossResult result) {
        List<String> overflowed = new ArrayList<>();
        if (!Double.isFinite(result.loss())) {
            overflowed.add("the loss is " + result.loss());
        }
        result.parts().forEach((name, value) -> {
            if (!Double.isFinite(value) && result.parts().size() > 1) {
                overflowed.add("part " + name + " is " + value);
            }
        });
        String dataType = null;
        for (Map.Entry<String, INDArray> gradient : result.gradients().entrySet()) {
            long bad = TensorChecks.nonFiniteCount(gradient.getValue());
            if (bad > 0) {
                overflowed.add(GRADIENT_PREFIX
                        + gradient.getKey()
                        + ".npy would hold "
                        + bad
                        + " of "
                        + gradient.getValue().length()
                        + " values NaN or infinite");
            }
            dataType = gradient.getValue().dataType() == DataType.DOUBLE ? "float64" : "float32";
        }
        if (overflowed.isEmpty()) {
            return;
        }
        throw new IllegalArgumentException("the "
                + type.cliName()
                + " loss is not finite, its scores overflowed"
                + (dataType != null ? " " + dataType : "")
                + ": "
                + String.join(", ", overflowed)
                + "; "
                + overflowAdvice()
                + ". Nothing was written to --out "
                + outputDir);
    }

    private String overflowAdvice() {
        return switch (type) {
            case INFONCE ->
                noNormalize
                        ? "score L2-normalised features (drop --no-normalize) or scale the inputs down"
                        : "raise --temperature or scale the inputs down";
            case CPC -> "lower --emb-scale or scale the inputs down";
            case AMDIM, YADIM -> "scale the inputs down";
        };
    }

    /** Writes the run's files into a new directory that replaces --out as a whole. */
    private void writeOutputs(LossResult result, ObjectNode options, InputDirectory inputs) throws IOException {
        Path parent = outputDir.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IOException("cannot create " + parent + ", the parent directory of --out: " + e.getMessage(), e);
        }
        byte[] report = report(result, options, inputs.shapes());
        AtomicFiles.replaceDirectory(outputDir, dir -> {
            for (Map.Entry<String, INDArray> gradient : result.gradients().entrySet()) {
                Npy.write(dir.resolve(GRADIENT_PREFIX + gradient.getKey() + ".npy"), gradient.getValue());
            }
            for (Map.Entry<String, int[]> locations : result.sourceLocations().entrySet()) {
                Npy.writeInts(
                        dir.resolve(InputDirectory.LOCATION_PREFIX + locations.getKey() + ".npy"),
                        locations.getValue());
            }
            AtomicFiles.write(dir.resolve(REPORT), report);
        });
    }

    /**
     * --out is replaced as a whole, so it may hold only what this command writes: anything else (the
     * inputs, when --out is --in; a user's notes) would be deleted with it.
     */
    private void requireReplaceableOutput() throws IOException {
        if (!Files.exists(outputDir)) {
            return;
        }
        if (!Files.isDirectory(outputDir)) {
            throw new IllegalArgumentException("--out " + outputDir + " exists and is not a directory");
        }
        List<String> foreign;
        try (Stream<Path> files = Files.list(outputDir)) {
            foreign = files.filter(file -> !isOutput(file))
                    .map(file -> file.getFileName().toString())
                    .sorted()
                    .toList();
        }
        if (!foreign.isEmpty()) {
            throw new IllegalArgumentException("--out "
                    + outputDir
                    + " holds "
                    + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
                    + (foreign.size() > 5 ? " and " + (foreign.size() - 5) + " more" : "")
                    + ", which this command does not write; --out is replaced as a whole, so give a new"
                    + " or empty directory, or one an earlier loss run wrote");
        }
    }

    private static boolean isOutput(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                && (name.equals(REPORT)
                        || ((name.startsWith(GRADIENT_PREFIX) || name.startsWith(InputDirectory.LOCATION_PREFIX))
                                && name.endsWith(".npy")));
    }

    /** loss.json: the loss, its parts and diagnostics, the options used and the input shapes. */
    private byte[] report(LossResult result, ObjectNode options, Map<String, long[]> shapes) throws IOException {
        ObjectNode report = json.createObjectNode();
        report.put("type", type.cliName());
        putNumber(report, "loss", result.loss());
        ObjectNode parts = report.putObject("parts");
        result.parts().forEach((name, value) -> putNumber(parts, name, value));
        putNumber(report, "meanPositive", result.diagnostics().meanPositive());
        putNumber(report, "meanNegative", result.diagnostics().meanNegative());
        putNumber(report, "accuracy", result.diagnostics().accuracy());
        report.set("options", options);
        ObjectNode inputShapes = report.putObject("inputShapes");
        shapes.forEach((name, shape) -> {
            ArrayNode dims = inputShapes.putArray(name);
            for (long dim : shape) {
                dims.add(dim);
            }
        });
        return json.writeValueAsBytes(report);
    }

    /** JSON has no NaN or infinity; null says "no value" (for example meanNegative with B = 1). */
    private static void putNumber(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }
}
