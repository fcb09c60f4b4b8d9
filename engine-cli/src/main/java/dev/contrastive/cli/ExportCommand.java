package dev.contrastive.cli;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.models.eval.FeatureExport;
import dev.contrastive.models.eval.FeatureExport.Kind;
import dev.contrastive.models.eval.FeatureExtractor;
import dev.contrastive.models.eval.FeatureSet;
import dev.contrastive.models.export.OnnxExport;
import dev.contrastive.models.train.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code export}: writes a dataset's features under a checkpoint's model, with the labels, to an
 * HDF5 file ({@link FeatureExport}), for analysis outside the engine; or, with {@code --format
 * onnx}, the checkpoint's encoder itself as an ONNX model ({@link OnnxExport}), for inference
 * outside it. The images are preprocessed with the evaluation transform of the preset the
 * checkpoint trained with; the ONNX model takes images already so preprocessed, and its metadata
 * names the transform.
 */
@Command(
        name = "export",
        sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "Write a dataset's learned (or raw-pixel) features and labels to an HDF5 file, or (--format",
            "onnx) the checkpoint's encoder, up to the features the probes read, to an ONNX model."
        },
        footerHeading = "%n",
        footer = {
            "hdf5: the file holds 'features' (N, F) float32 and 'labels' (N) int32, chunked and deflated,",
            "and root attributes checkpoint, step, data, trainer_config (JSON) and feature_kind (learned or",
            "raw). The images go through the evaluation transform of the checkpoint's augmentation preset.",
            "onnx: ONNX IR 7, opset 13; input 'images' (N, C, H, W) float32, pixels / 255 already through",
            "that evaluation transform, to output 'features' (N, F), N dynamic; the features --features",
            "learned writes.",
            "Metadata: method, config, checkpoint, step, preset and preprocessing. It takes no --data,",
            "--batch or --features raw.",
            "--out is written under a temporary name and renamed, so it is complete or untouched.",
            "Exit codes: 0 ok, 2 bad input, options or environment (one message on stderr), 1 engine fault."
        })
public final class ExportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private CheckpointOptions source;

    @Option(
            names = "--format",
            defaultValue = "hdf5",
            paramLabel = "FORMAT",
            description = "hdf5 (a dataset's features) or onnx (the encoder) (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(
            names = "--data",
            paramLabel = "SPEC",
            description = "The images, e.g. fashion-mnist:test or a .h5 file (required for hdf5).")
    private String data;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "The .h5 or .onnx file to write; its directory must exist.")
    private Path out;

    @Option(
            names = "--batch",
            defaultValue = "256",
            paramLabel = "N",
            description = "Images per batch, 1 to 65536 (hdf5 only; default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(
            names = "--features",
            defaultValue = "learned",
            paramLabel = "KIND",
            description = "learned (the features the probes read) or raw (preprocessed pixels, hdf5 only)"
                    + " (default: ${DEFAULT-VALUE}).")
    private String features;

    @Mixin
    private HelpOption help;

    @Override
    public Integer call() {
        return ExitCodes.run(spec, this::export);
    }

    private int export() throws IOException {
        Kind kind = switch (features.toLowerCase(Locale.ROOT)) {
            case "learned" -> Kind.LEARNED;
            case "raw" -> Kind.RAW;
            default -> throw new IllegalArgumentException("--features must be learned or raw, got '" + features + "'");
        };
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "hdf5" -> hdf5(kind);
            case "onnx" -> onnx(kind);
            default -> throw new IllegalArgumentException("--format must be hdf5 or onnx, got '" + format + "'");
        };
    }

    private int hdf5(Kind kind) throws IOException {
        if (data == null) {
            throw new IllegalArgumentException(
                    "--data is required with --format hdf5: the images whose features are written");
        }
        if (batch < 1 || batch > 65536) {
            throw new IllegalArgumentException("--batch must be in [1, 65536], got " + batch);
        }
        CommandInputs.writableOutput("--out", out);
        try (TrainedModel trained = source.load();
                Dataset dataset = CommandInputs.dataset("--data", data)) {
            FeatureExtractor extractor = FeatureExtractor.forPreset(trained.preset(), batch);
            FeatureSet set =
                    kind == Kind.LEARNED ? extractor.features(dataset, trained.method()) : extractor.rawPixels(dataset);
            try {
                FeatureExport.write(
                        out,
                        set,
                        new FeatureExport.Attributes(
                                trained.checkpoint().toString(),
                                trained.step(),
                                data,
                                trained.config().toJson().toString(),
                                kind.cliName()));
            } finally {
                set.features().close();
            }
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "export: wrote %s (%d x %d %s features of %s, step %d)%n",
                            out,
                            set.size(),
                            set.dim(),
                            kind.cliName(),
                            data,
                            trained.step());
        }
        return 0;
    }

    private int onnx(Kind kind) throws IOException {
        // The model is the encoder alone: options about a pass over a dataset are refused, not ignored,
        // since whoever passed them expects them to change the output.
        if (kind == Kind.RAW) {
            throw new IllegalArgumentException("--features raw is not an ONNX model: --format onnx exports"
                    + " the encoder's learned features; use --format hdf5 for raw pixels");
        }
        if (data != null) {
            throw new IllegalArgumentException("--data is not used by --format onnx, which exports the"
                    + " encoder alone (the images are the caller's, at inference); drop --data");
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--batch")) {
            throw new IllegalArgumentException("--batch is not used by --format onnx: the model's batch"
                    + " dimension is dynamic, the caller's at inference; drop --batch");
        }
        CommandInputs.writableOutput("--out", out);
        try (TrainedModel trained = source.load()) {
            // What only the checkpoint knows: where the weights come from, and the preprocessing the
            // input must already have had, without which the model cannot be used outside the engine.
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("checkpoint", trained.checkpoint().toString());
            metadata.put("step", Long.toString(trained.step()));
            metadata.put("preset", trained.preset().name());
            metadata.put(
                    "preprocessing", "pixels / 255, then " + trained.preset().evaluation());
            OnnxExport.write(trained.method(), metadata, out);
            ItemShape image = trained.method().config().imageShape();
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "export: wrote %s (ONNX %s encoder, step %d: %s (N, %d, %d, %d) to %s (N, %d), input"
                                    + " through preset %s's evaluation transform)%n",
                            out,
                            trained.config().method().method(),
                            trained.step(),
                            OnnxExport.INPUT,
                            image.channels(),
                            image.height(),
                            image.width(),
                            OnnxExport.OUTPUT,
                            trained.method().featureDim(),
                            trained.preset().name());
        }
        return 0;
    }
}
