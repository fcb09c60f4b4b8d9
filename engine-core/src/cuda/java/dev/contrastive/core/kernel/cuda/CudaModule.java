package dev.contrastive.core.kernel.cuda;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRetain;
import static org.bytedeco.cuda.global.cudart.cuGetErrorString;
import static org.bytedeco.cuda.global.cudart.cuInit;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernels' fatbin loaded into one device's primary context, the context ND4J's runtime-API
 * calls use, so the kernels see ND4J's buffers and run on its streams.
 *
 * <p>Why a fatbin built by Maven rather than NVRTC at run time: no NVRTC library to ship or match
 * with the driver, compile errors fail the build instead of the first training step, and the
 * machine code for sm_75..sm_90 starts without JIT; the embedded compute_90 PTX covers newer GPUs.
 */
final class CudaModule {

    static final String FATBIN = "contrastive_kernels.fatbin";
    private static final String[] KERNELS = {
        "ce_forward", "ce_finish", "ce_backward_dq", "ce_backward_dk",
        "amdim_forward", "amdim_finish", "amdim_backward_dsrc", "amdim_backward_dtrg"
    };
    private static final Map<Integer, CudaModule> BY_DEVICE = new ConcurrentHashMap<>();

    private final CUctx_st context;
    private final CUmod_st module;
    private final Map<String, CUfunc_st> functions;
    private final int multiprocessors;

    private CudaModule(int ordinal) {
        check(cuInit(0), "cuInit");
        int[] device = new int[1];
        check(cuDeviceGet(device, ordinal), "cuDeviceGet " + ordinal);
        context = new CUctx_st();
        check(cuDevicePrimaryCtxRetain(context, device[0]), "cuDevicePrimaryCtxRetain");
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        int[] count = new int[1];
        check(cuDeviceGetAttribute(count, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device[0]), "cuDeviceGetAttribute");
        multiprocessors = count[0];
        module = new CUmod_st();
        // cuModuleLoadData copies the image, so the pointer may go once it returns.
        try (BytePointer image = new BytePointer(readFatbin())) {
            check(cuModuleLoadData(module, image), "cuModuleLoadData " + FATBIN);
        }
        functions = new HashMap<>();
        for (String name : KERNELS) {
            CUfunc_st f = new CUfunc_st();
            check(cuModuleGetFunction(f, module, name), "cuModuleGetFunction " + name);
            functions.put(name, f);
        }
    }

    /** The module of the device ND4J has bound to this thread, loaded on first use. */
    static CudaModule forCurrentDevice() {
        int ordinal = Nd4j.getAffinityManager().getDeviceForCurrentThread();
        return BY_DEVICE.computeIfAbsent(ordinal, CudaModule::new);
    }

    int multiprocessors() {
        return multiprocessors;
    }

    CUfunc_st function(String name) {
        CUfunc_st f = functions.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no kernel " + name + " in " + FATBIN);
        }
        return f;
    }

    /** Driver-API calls act on the thread's current context; ND4J's threads may not have set one. */
    void makeCurrent() {
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    static void check(int result, String what) {
        if (result != CUDA_SUCCESS) {
            BytePointer message = new BytePointer();
            String text = cuGetErrorString(result, message) == CUDA_SUCCESS && !message.isNull()
                    ? message.getString()
                    : "unknown error";
            throw new IllegalStateException(what + " failed: CUDA error " + result + " (" + text + ")");
        }
    }

    private static byte[] readFatbin() {
        try (InputStream in = CudaModule.class.getResourceAsStream(FATBIN)) {
            if (in == null) {
                throw new IllegalStateException(
                        "resource " + FATBIN + " is missing: the -Pcuda build compiles it with nvcc");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FATBIN, e);
        }
    }
}
