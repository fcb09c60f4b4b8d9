package dev.contrastive.models.registry;

import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.MethodConfig;
import dev.contrastive.models.method.MethodProvider;
import dev.contrastive.models.method.amdim.AmdimProvider;
import dev.contrastive.models.method.cpc.CpcProvider;
import dev.contrastive.models.method.simclr.SimClrProvider;
import dev.contrastive.models.method.yadim.YadimProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Every method the engine trains, by name: adding a method is one package under {@code
 * dev.contrastive.models.method} and one line in {@link #PROVIDERS}. The registry also stores a
 * method's config as JSON (its name beside the record's fields), which is how checkpoints record
 * what they hold.
 */
public final class Methods {

    private static final Map<String, MethodProvider<?>> PROVIDERS = new LinkedHashMap<>();

    static {
        register(new AmdimProvider());
        register(new CpcProvider());
        register(new YadimProvider());
        register(new SimClrProvider());
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Methods() {}

    private static void register(MethodProvider<?> provider) {
        PROVIDERS.put(provider.name(), provider);
    }

    /** The names, in registration order. */
    public static List<String> names() {
        return List.copyOf(PROVIDERS.keySet());
    }

    /**
     * The method called {@code name}.
     *
     * @throws IllegalArgumentException naming the known methods, if there is none of that name
     */
    public static MethodProvider<?> get(String name) {
        MethodProvider<?> p = PROVIDERS.get(name);
        if (p == null) {
            throw new IllegalArgumentException(
                    "method must be one of " + String.join(", ", names()) + ", got '" + name + "'");
        }
        return p;
    }

    /**
     * A new float32 instance of the method {@code config} configures, weights drawn from {@code
     * seed}.
     */
    public static Method create(MethodConfig config, long seed) {
        return create(config, DataType.FLOAT, seed);
    }

    /** As {@link #create(MethodConfig, long)}, in {@code type} (DOUBLE for gradient checks). */
    public static Method create(MethodConfig config, DataType type, long seed) {
        return create(get(config.method()), config, type, seed);
    }

    private static <C extends MethodConfig> Method create(
            MethodProvider<C> provider, MethodConfig config, DataType type, long seed) {
        return provider.create(provider.configType().cast(config), type, seed);
    }

    /** {@code {"name": method, "config": {...the record's fields}}}. */
    public static JsonNode toJson(MethodConfig config) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", config.method());
        node.set("config", JSON.valueToTree(config));
        return node;
    }

    /**
     * The inverse of {@link #toJson}; the record validates as its constructor does.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static MethodConfig fromJson(JsonNode node) {
        if (node == null || !node.hasNonNull("name") || !node.hasNonNull("config")) {
            throw new IllegalArgumentException("a method config needs 'name' and 'config', got " + node);
        }
        MethodProvider<?> provider = get(node.get("name").asText());
        try {
            return JSON.treeToValue(node.get("config"), provider.configType());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a " + provider.name() + " config: " + e.getOriginalMessage(), e);
        }
    }
}
