package dev.contrastive.models.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.protobuf.ByteString;

/**
 * An ONNX graph being built: modules append their nodes in evaluation-mode order ({@link #op}) and
 * read their weights from {@link Parameters} by name ({@link #weight}), stored as float32
 * initializers under the parameter's name. Every other value gets a fresh name.
 *
 * <p>The protobuf classes are ND4J's ({@code onnx.Onnx} in nd4j-api, on its shaded protobuf
 * runtime), so writing ONNX adds no dependency. Nodes use the default domain's opset {@value
 * #OPSET} in a model of IR version {@value #IR_VERSION}: ONNX 1.8, which every ONNX Runtime since
 * 1.6 loads. ND4J's schema would allow IR 8 (ONNX 1.10, opset 15), but nothing here needs it and
 * the older pair keeps older runtimes able to read the files. This class checks names and sizes;
 * which operators and attributes a node may use is the opset's, checked by the ONNX checker.
 */
public final class OnnxGraph {

    public static final long IR_VERSION = 7;
    public static final long OPSET = 13;

    /**
     * protobuf refuses messages of 2 GiB and more; ONNX's external-data format is not written here.
     */
    private static final long MAX_WEIGHT_BYTES = Integer.MAX_VALUE;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, long[]> inputShapes = new HashMap<>();

    /**
     * Each initializer is stored once: weights by parameter name (with the shape they were given),
     */
    private final Map<String, long[]> weightShapes = new HashMap<>();

    /** ... constants by value, to their names. */
    private final Map<String, String> constants = new HashMap<>();

    private long weightBytes;
    private int counter;

    /**
     * @param name the graph's name, e.g. the method's
     */
    public OnnxGraph(String name) {
        graph.setName(name);
    }

    /**
     * Declares a float32 graph input of shape ({@code batch}, {@code dims}...), the first dimension
     * symbolic, and returns its name.
     */
    public String input(String name, String batch, long... dims) {
        claim(name);
        inputShapes.put(name, withBatch(dims));
        graph.addInput(valueInfo(name, batch, dims));
        return name;
    }

    /**
     * The shape a graph input was declared with, the batch dimension as -1: for modules that need
     * static sizes (which patches to cut).
     *
     * @throws IllegalArgumentException if {@code value} is not a graph input
     */
    public long[] inputShape(String value) {
        long[] shape = inputShapes.get(value);
        if (shape == null) {
            throw new IllegalArgumentException(
                    "the shape of " + value + " is not known: only graph inputs " + inputShapes.keySet() + " have one");
        }
        return shape.clone();
    }

    /**
     * Makes {@code value} the float32 graph output {@code name} of shape ({@code batch}, {@code
     * dims}...) through an Identity node, so that the output's name does not depend on the node that
     * made it.
     */
    public void output(String value, String name, String batch, long... dims) {
        claim(name);
        graph.addNode(NodeProto.newBuilder()
                .setOpType("Identity")
                .setName(name)
                .addInput(value)
                .addOutput(name));
        graph.addOutput(valueInfo(name, batch, dims));
    }

    /**
     * A node of {@code type} on {@code inputs}; set its attributes, then {@link Node#output()} adds
     * it.
     */
    public Node op(String type, String... inputs) {
        return new Node(type, inputs);
    }

    /** The float32 initializer of {@code tensor}, named as the tensor, in the tensor's shape. */
    public String weight(Parameters.Tensor tensor) {
        return weight(tensor, tensor.shape());
    }

    /**
     * The float32 initializer of {@code tensor} in {@code shape} (same element count, C order), e.g.
     * a per-channel vector as (C, 1, 1) to broadcast over (N, C, H, W).
     *
     * @throws IllegalArgumentException if the element counts differ, or the tensor was already added
     *     in another shape
     */
    public String weight(Parameters.Tensor tensor, long... shape) {
        String name = tensor.name();
        long[] added = weightShapes.get(name);
        if (added != null) {
            if (!Arrays.equals(added, shape)) {
                throw new IllegalArgumentException("weight "
                        + name
                        + " is already in the graph as "
                        + Arrays.toString(added)
                        + ", asked for "
                        + Arrays.toString(shape));
            }
            return name;
        }
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (count != Arrays.stream(tensor.shape()).reduce(1, Math::multiplyExact)) {
            throw new IllegalArgumentException("weight "
                    + name
                    + " of shape "
                    + Arrays.toString(tensor.shape())
                    + " cannot be stored as "
                    + Arrays.toString(shape));
        }
        weightBytes += 4 * count;
        if (weightBytes > MAX_WEIGHT_BYTES) {
            throw new IllegalArgumentException(
                    "the weights take more than 2 GiB, over protobuf's limit for one ONNX file");
        }
        claim(name);
        weightShapes.put(name, shape.clone());
        // Double-precision parameters (gradient checks) are narrowed: the model computes in float32.
        float[] values = tensor.value().castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        graph.addInitializer(
                tensorProto(name, TensorProto.DataType.FLOAT, shape).setRawData(ByteString.copyFrom(raw)));
        return name;
    }

    /** A 1-D int64 constant (pads, slice bounds, shapes, axes), stored once per distinct value. */
    public String ints(long... values) {
        return constants.computeIfAbsent("ints " + Arrays.toString(values), k -> {
            String name = fresh("ints");
            graph.addInitializer(tensorProto(name, TensorProto.DataType.INT64, values.length)
                    .addAllInt64Data(Arrays.stream(values).boxed().toList()));
            return name;
        });
    }

    /** A float32 scalar constant (an epsilon), stored once per distinct value. */
    public String scalar(float value) {
        return constants.computeIfAbsent("scalar " + value, k -> {
            String name = fresh("scalar");
            graph.addInitializer(tensorProto(name, TensorProto.DataType.FLOAT).addFloatData(value));
            return name;
        });
    }

    /** A model of this graph, its IR version and opset set; the caller adds its metadata. */
    public ModelProto.Builder toModel() {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("contrastive-engine")
                .setGraph(graph.build());
    }

    /** One node being built: its attributes, then {@link #output()}. */
    public final class Node {
        private final NodeProto.Builder node;

        private Node(String type, String[] inputs) {
            node = NodeProto.newBuilder().setOpType(type).addAllInput(List.of(inputs));
        }

        public Node ints(String name, long... values) {
            return attribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.INTS)
                    .addAllInts(Arrays.stream(values).boxed().toList()));
        }

        public Node integer(String name, long value) {
            return attribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.INT)
                    .setI(value));
        }

        public Node real(String name, float value) {
            return attribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.FLOAT)
                    .setF(value));
        }

        public Node string(String name, String value) {
            return attribute(AttributeProto.newBuilder()
                    .setName(name)
                    .setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(value)));
        }

        private Node attribute(AttributeProto.Builder a) {
            node.addAttribute(a);
            return this;
        }

        /** Adds the node to the graph; returns the name of its (single) output. */
        public String output() {
            String name = fresh(node.getOpType());
            graph.addNode(node.setName(name).addOutput(name));
            return name;
        }
    }

    /** A name no value or initializer has: {@code prefix_k}. */
    private String fresh(String prefix) {
        String name;
        do {
            name = prefix + "_" + counter++;
        } while (names.contains(name));
        names.add(name);
        return name;
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("the graph already has a value named " + name);
        }
    }

    private static long[] withBatch(long[] dims) {
        long[] shape = new long[dims.length + 1];
        shape[0] = -1;
        System.arraycopy(dims, 0, shape, 1, dims.length);
        return shape;
    }

    private static ValueInfoProto valueInfo(String name, String batch, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDimBuilder().setDimParam(batch);
        for (long d : dims) {
            shape.addDimBuilder().setDimValue(d);
        }
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    private static TensorProto.Builder tensorProto(String name, TensorProto.DataType type, long... dims) {
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(type.getNumber())
                .addAllDims(Arrays.stream(dims).boxed().toList());
    }
}
