package dev.contrastive.models.export;

import dev.contrastive.augment.transform.ItemShape;
import dev.contrastive.core.io.AtomicFiles;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.nn.OnnxGraph;
import dev.contrastive.models.registry.Methods;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.ModelProto;
import onnx.Onnx.StringStringEntryProto;

/**
 * A trained method's encoder as an ONNX model: whole images {@value #INPUT} (N, C, S, S), float32,
 * of the method config's {@code imageShape()}, to {@value #OUTPUT} (N, featureDim), exactly what
 * {@link Method#features} returns in evaluation mode (batch norms on their running statistics). The
 * batch dimension is symbolic ({@value #BATCH}). The model's metadata names the method ({@code
 * method}), its config as the registry's JSON ({@code config}), the input and output names and the
 * feature width; a caller may add its own entries (the command line adds the checkpoint and the
 * preprocessing the input must have had).
 *
 * <p>ONNX IR version {@value OnnxGraph#IR_VERSION}, opset {@value OnnxGraph#OPSET} (see {@link
 * OnnxGraph}).
 */
public final class OnnxExport {

    public static final String INPUT = "images";
    public static final String OUTPUT = "features";
    public static final String BATCH = "N";

    /**
     * The metadata keys the export itself writes: extra metadata may not repeat them, as the ONNX
     * checker refuses a model with duplicate keys.
     */
    public static final Set<String> METADATA_KEYS = Set.of("method", "config", "input", "output", "feature_dim");

    private OnnxExport() {}

    /**
     * Writes the model to {@code out} through {@link AtomicFiles}: {@code out} is its previous
     * content or the complete model, never part of one. The graph is built first, so a method or
     * module without an ONNX form fails before anything is written.
     *
     * @throws UnsupportedOperationException naming the method or module that has no ONNX form
     * @throws IOException naming {@code out} and the cause when the file cannot be written
     */
    public static void write(Method method, Path out) throws IOException {
        write(method, Map.of(), out);
    }

    /**
     * {@link #write(Method, Path)} with {@code metadata} appended to the model's metadata, in the
     * map's iteration order.
     *
     * @throws IllegalArgumentException if a key of {@code metadata} is one of {@link #METADATA_KEYS}
     */
    public static void write(Method method, Map<String, String> metadata, Path out) throws IOException {
        ModelProto model = model(method, metadata);
        AtomicFiles.write(out, model::writeTo);
    }

    /** The model's bytes; see {@link #write(Method, Path)}. */
    public static byte[] toBytes(Method method) {
        return model(method, Map.of()).toByteArray();
    }

    private static ModelProto model(Method method, Map<String, String> metadata) {
        for (String key : metadata.keySet()) {
            if (METADATA_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "ONNX metadata key '" + key + "' is the export's own " + METADATA_KEYS);
            }
        }
        String name = method.config().method();
        ItemShape image = method.config().imageShape();
        OnnxGraph g = new OnnxGraph(name);
        String images = g.input(INPUT, BATCH, image.channels(), image.height(), image.width());
        g.output(method.exportFeatures(g, images), OUTPUT, BATCH, method.featureDim());
        ModelProto.Builder model = g.toModel()
                .setDocString(name
                        + " features in evaluation mode: "
                        + INPUT
                        + " ("
                        + BATCH
                        + ", "
                        + image.channels()
                        + ", "
                        + image.height()
                        + ", "
                        + image.width()
                        + ") float32 to "
                        + OUTPUT
                        + " ("
                        + BATCH
                        + ", "
                        + method.featureDim()
                        + ")")
                .addMetadataProps(entry("method", name))
                .addMetadataProps(
                        entry("config", Methods.toJson(method.config()).toString()))
                .addMetadataProps(entry("input", INPUT))
                .addMetadataProps(entry("output", OUTPUT))
                .addMetadataProps(entry("feature_dim", Integer.toString(method.featureDim())));
        metadata.forEach((key, value) -> model.addMetadataProps(entry(key, value)));
        return model.build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
