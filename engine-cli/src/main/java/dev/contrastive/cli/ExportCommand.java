package dev.contrastive.cli;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.models.eval.FeatureExport;
import dev.contrastive.models.eval.FeatureExport.Kind;
import dev.contrastive.models.eval.FeatureExtractor;
import dev.contrastive.models.eval.FeatureSet;
import dev.contrastive.models.train.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code export}: writes a dataset's features under a checkpoint's model, with the labels, to an
 * HDF5 file ({@link FeatureExport}), for analysis outside the engine. The images are preprocessed
 * with the evaluation transform of the preset the checkpoint trained with.
 */
@Command(
    name = "export",
    sortOptions = false,
    usageHelpWidth = 100,
    description = "Write a dataset's learned (or raw-pixel) features and labels to an HDF5 file.",
    footerHeading = "%n",
    footer = {
      "The file holds 'features' (N, F) float32 and 'labels' (N) int32, chunked and deflated, and",
      "root attributes checkpoint, step, data, trainer_config (JSON) and feature_kind (learned or",
      "raw). It is written under a temporary name and renamed, so --out is complete or untouched.",
      "The images go through the evaluation transform of the checkpoint's augmentation preset.",
      "Exit codes: 0 ok, 2 bad input, options or environment (one message on stderr), 1 engine fault."
    })
public final class ExportCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = "--checkpoint", required = true, paramLabel = "PATH",
      description = "A checkpoint file, or a run directory (its newest valid checkpoint).")
  private Path checkpoint;

  @Option(names = "--method", paramLabel = "NAME",
      description = "Refuse a checkpoint of any other method (default: take the checkpoint's).")
  private String method;

  @Option(names = "--data", required = true, paramLabel = "SPEC",
      description = "The images, e.g. fashion-mnist:test or a .h5 file.")
  private String data;

  @Option(names = "--out", required = true, paramLabel = "FILE.h5",
      description = "HDF5 file to write; its directory must exist.")
  private Path out;

  @Option(names = "--batch", defaultValue = "256", paramLabel = "N",
      description = "Images per batch, 1 to 65536 (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--features", defaultValue = "learned", paramLabel = "KIND",
      description = "learned (the features the probes read) or raw (preprocessed pixels) (default:"
          + " ${DEFAULT-VALUE}).")
  private String features;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean helpRequested;

  @Override
  public Integer call() {
    return ExitCodes.run(spec, this::export);
  }

  private int export() throws IOException {
    if (batch < 1 || batch > 65536) {
      throw new IllegalArgumentException("--batch must be in [1, 65536], got " + batch);
    }
    Kind kind = switch (features.toLowerCase(Locale.ROOT)) {
      case "learned" -> Kind.LEARNED;
      case "raw" -> Kind.RAW;
      default -> throw new IllegalArgumentException(
          "--features must be learned or raw, got '" + features + "'");
    };
    CommandInputs.writableOutput("--out", out);
    try (TrainedModel trained = CommandInputs.checkpoint(checkpoint, method);
        Dataset dataset = CommandInputs.dataset("--data", data)) {
      FeatureExtractor extractor = FeatureExtractor.forPreset(trained.preset(), batch);
      FeatureSet set = kind == Kind.LEARNED
          ? extractor.features(dataset, trained.method())
          : extractor.rawPixels(dataset);
      try {
        FeatureExport.write(out, set, new FeatureExport.Attributes(
            trained.checkpoint().toString(), trained.step(), data,
            trained.config().toJson().toString(), kind.cliName()));
      } finally {
        set.features().close();
      }
      spec.commandLine().getOut().printf(Locale.ROOT,
          "export: wrote %s (%d x %d %s features of %s, step %d)%n", out, set.size(), set.dim(),
          kind.cliName(), data, trained.step());
    }
    return 0;
  }
}
