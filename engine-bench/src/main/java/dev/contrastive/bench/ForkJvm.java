package dev.contrastive.bench;

/**
 * JVM arguments every benchmark fork gets, shared so LossBenchmark and TileBenchmark time the same
 * runtime. Annotation values must be compile-time constants, hence one constant per argument.
 */
final class ForkJvm {

    /** A fixed heap: no resizing pauses inside a measurement. */
    static final String HEAP_MIN = "-Xms2g";

    static final String HEAP_MAX = "-Xmx2g";

    /** No JavaCPP byte limit, as in the tests: reaching one would force a System.gc() mid-call. */
    static final String NO_BYTE_LIMIT = "-Dorg.bytedeco.javacpp.maxbytes=0";

    static final String NO_PHYSICAL_LIMIT = "-Dorg.bytedeco.javacpp.maxphysicalbytes=0";

    /** DJL must neither download nor phone home; libtorch comes from the class path. */
    static final String DJL_OFFLINE = "-Dai.djl.offline=true";

    /** Keeps DJL's DEBUG library-loading log out of the benchmark output. */
    static final String QUIET_LOG = "-Dlogback.configurationFile=bench-logback.xml";

    private ForkJvm() {}
}
