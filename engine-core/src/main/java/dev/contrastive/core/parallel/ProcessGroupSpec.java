package dev.contrastive.core.parallel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process stands in a training job of several processes, one per GPU, each a replica of
 * the global batch: its rank, the job's size, and how the processes find each other, read from the
 * launcher's environment by {@link #fromEnvironment}. {@link ProcessGroups#open} turns it into
 * collectives.
 *
 * <p>NCCL's processes meet through a unique id (128 bytes) that one process makes and every other
 * must receive before the communicator exists. Two ways, exactly one set:
 *
 * <ul>
 *   <li>{@code idFile}: rank 0 makes the id and writes it to this file (atomically), the others
 *       wait for the file. It must be on a filesystem every node sees and unique to the launch,
 *       since a file left by an earlier launch would hand the others a dead id.
 *   <li>{@code ncclCommId}: NCCL's own {@code NCCL_COMM_ID=host:port}: every rank derives the id
 *       from the address and rank 0's NCCL listens there, so nothing is exchanged. Not a hex id in
 *       a variable: an id made before the launch names a listener that no longer exists.
 * </ul>
 *
 * @param rank this process's replica, in [0, worldSize): it encodes rows [rank * B / worldSize,
 *     (rank + 1) * B / worldSize) of each global batch of B images
 * @param worldSize processes in the job, in [1, 65536]
 * @param localRank this process's index among those on its node, in [0, worldSize)
 * @param idFile where rank 0 writes NCCL's unique id; null when {@code ncclCommId} is set
 * @param ncclCommId the {@code host:port} of {@code NCCL_COMM_ID}; null when {@code idFile} is set
 * @param timeout how long a process waits for the others: for the id file, for the communicator's
 *     set-up and in each collective
 */
public record ProcessGroupSpec(
        int rank, int worldSize, int localRank, Path idFile, String ncclCommId, Duration timeout) {

    /** torchrun's (and torch.distributed's) rank, world size and rank on the node. */
    public static final String RANK = "RANK";

    public static final String WORLD_SIZE = "WORLD_SIZE";
    public static final String LOCAL_RANK = "LOCAL_RANK";

    /** torchrun's processes on this node; optional, checked against LOCAL_RANK when set. */
    public static final String LOCAL_WORLD_SIZE = "LOCAL_WORLD_SIZE";

    /** SLURM's, in every task that srun starts. */
    public static final String SLURM_PROCID = "SLURM_PROCID";

    public static final String SLURM_NTASKS = "SLURM_NTASKS";
    public static final String SLURM_LOCALID = "SLURM_LOCALID";
    public static final String SLURM_STEP_ID = "SLURM_STEP_ID";
    public static final String SLURM_JOB_ID = "SLURM_JOB_ID";
    public static final String SLURM_RESTART_COUNT = "SLURM_RESTART_COUNT";

    /** The id file, explicitly; under SLURM it defaults to one in the run directory. */
    public static final String ID_FILE = "CONTRASTIVE_NCCL_ID_FILE";

    /** NCCL's own rendezvous address, host:port of a free port on rank 0's node. */
    public static final String NCCL_COMM_ID = "NCCL_COMM_ID";

    /** Seconds a process waits for the others, default {@link #DEFAULT_TIMEOUT}. */
    public static final String TIMEOUT = "CONTRASTIVE_COLLECTIVE_TIMEOUT_S";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    static final int MAX_WORLD_SIZE = 65536;
    static final int MAX_TIMEOUT_SECONDS = 86400;

    public ProcessGroupSpec {
        if (worldSize < 1 || worldSize > MAX_WORLD_SIZE) {
            throw new IllegalArgumentException(
                    "processGroup.worldSize must be in [1, " + MAX_WORLD_SIZE + "], got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException(
                    "processGroup.rank must be in [0, " + worldSize + ") (the world size), got " + rank);
        }
        if (localRank < 0 || localRank >= worldSize) {
            throw new IllegalArgumentException(
                    "processGroup.localRank must be in [0, " + worldSize + ") (the world size), got " + localRank);
        }
        if ((idFile == null) == (ncclCommId == null)) {
            throw new IllegalArgumentException("processGroup needs exactly one of idFile and ncclCommId, got "
                    + (idFile == null ? "neither" : "both"));
        }
        if (ncclCommId != null) {
            requireHostPort(NCCL_COMM_ID, ncclCommId);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("processGroup.timeout must be positive, got " + timeout);
        }
    }

    /**
     * This process's place in a multi-process launch, from the launcher's variables: torchrun's
     * {@code RANK}, {@code WORLD_SIZE} and {@code LOCAL_RANK} when any is set, else SLURM's {@code
     * SLURM_PROCID}, {@code SLURM_NTASKS} and {@code SLURM_LOCALID} ({@code LOCAL_WORLD_SIZE}, when
     * set, bounds {@code LOCAL_RANK}); empty for a process that is alone (none set, or a world of
     * one). The unique id goes through {@code CONTRASTIVE_NCCL_ID_FILE} or {@code NCCL_COMM_ID};
     * under SLURM without either, through {@code runDir/.nccl-id.<job>.<restart>.<step>}, unique to
     * each launch and requeue.
     *
     * @param runDir the run directory, on the filesystem every node shares
     * @throws IllegalArgumentException naming the variable, its value and the range it must be in
     */
    public static Optional<ProcessGroupSpec> fromEnvironment(Map<String, String> env, Path runDir) {
        boolean torchrun = env.containsKey(RANK) || env.containsKey(WORLD_SIZE) || env.containsKey(LOCAL_RANK);
        int worldSize;
        int rank;
        int localRank;
        if (torchrun) {
            worldSize = integer(
                    env,
                    WORLD_SIZE,
                    1,
                    MAX_WORLD_SIZE,
                    "torchrun sets " + RANK + ", " + WORLD_SIZE + " and " + LOCAL_RANK + " together");
            rank = integer(env, RANK, 0, worldSize - 1, WORLD_SIZE + " is " + worldSize);
            localRank = integer(env, LOCAL_RANK, 0, worldSize - 1, WORLD_SIZE + " is " + worldSize);
            if (env.containsKey(LOCAL_WORLD_SIZE)) {
                int local = integer(env, LOCAL_WORLD_SIZE, 1, worldSize, WORLD_SIZE + " is " + worldSize);
                if (localRank >= local) {
                    throw new IllegalArgumentException(LOCAL_RANK
                            + "="
                            + localRank
                            + " is outside [0, "
                            + local
                            + ") ("
                            + LOCAL_WORLD_SIZE
                            + " is "
                            + local
                            + ")");
                }
            }
        } else if (env.containsKey(SLURM_NTASKS)) {
            worldSize = integer(env, SLURM_NTASKS, 1, MAX_WORLD_SIZE, "");
            if (worldSize > 1 && !env.containsKey(SLURM_STEP_ID)) {
                // The batch script of a job of several tasks has SLURM_NTASKS and SLURM_PROCID = 0 too: a
                // process started there would wait for ranks that nobody starts.
                throw new IllegalArgumentException(SLURM_NTASKS
                        + "="
                        + worldSize
                        + " but "
                        + SLURM_STEP_ID
                        + " is not set: this is the job's batch script, not a task of a job step; start one process"
                        + " per task with srun (scripts/slurm/train-multinode.sbatch), or srun --ntasks=1 for one");
            }
            rank = integer(env, SLURM_PROCID, 0, worldSize - 1, SLURM_NTASKS + " is " + worldSize);
            localRank = integer(env, SLURM_LOCALID, 0, worldSize - 1, SLURM_NTASKS + " is " + worldSize);
        } else {
            return Optional.empty();
        }
        if (worldSize == 1) {
            return Optional.empty();
        }
        Duration timeout = Duration.ofSeconds(
                env.containsKey(TIMEOUT)
                        ? integer(env, TIMEOUT, 1, MAX_TIMEOUT_SECONDS, "seconds")
                        : DEFAULT_TIMEOUT.toSeconds());
        String idFile = env.get(ID_FILE);
        String commId = env.get(NCCL_COMM_ID);
        if (idFile != null && commId != null) {
            throw new IllegalArgumentException("both "
                    + ID_FILE
                    + " and "
                    + NCCL_COMM_ID
                    + " are set: set one (the"
                    + " id file, or NCCL's own rendezvous address)");
        }
        if (idFile != null) {
            if (idFile.isBlank()) {
                throw new IllegalArgumentException(ID_FILE
                        + " is empty: set it to a file path unique to this launch on"
                        + " a filesystem every node sees");
            }
            return Optional.of(new ProcessGroupSpec(
                    rank, worldSize, localRank, Path.of(idFile).toAbsolutePath(), null, timeout));
        }
        if (commId != null) {
            requireHostPort(NCCL_COMM_ID, commId);
            return Optional.of(new ProcessGroupSpec(rank, worldSize, localRank, null, commId, timeout));
        }
        if (torchrun) {
            throw new IllegalArgumentException("torchrun launched "
                    + worldSize
                    + " processes, but no way to pass NCCL's"
                    + " unique id is set: set "
                    + ID_FILE
                    + " to a path unique to this launch on a filesystem every node"
                    + " sees, or "
                    + NCCL_COMM_ID
                    + "=host:port (a free port on rank 0's node)");
        }
        String job = env.get(SLURM_JOB_ID);
        if (job == null || job.isBlank()) {
            throw new IllegalArgumentException(SLURM_JOB_ID
                    + " is not set, so no id file unique to this launch can be"
                    + " named: set "
                    + ID_FILE
                    + " or "
                    + NCCL_COMM_ID);
        }
        String name =
                ".nccl-id." + job + "." + env.getOrDefault(SLURM_RESTART_COUNT, "0") + "." + env.get(SLURM_STEP_ID);
        return Optional.of(new ProcessGroupSpec(
                rank, worldSize, localRank, runDir.resolve(name).toAbsolutePath(), null, timeout));
    }

    /** The variable as an integer in [min, max]; {@code context} says where the bound comes from. */
    private static int integer(Map<String, String> env, String name, int min, int max, String context) {
        String raw = env.get(name);
        String why = context.isEmpty() ? "" : " (" + context + ")";
        if (raw == null) {
            throw new IllegalArgumentException(name + " is not set" + why);
        }
        long value;
        try {
            value = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "='" + raw + "' is not an integer" + why, e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    name + "=" + raw.strip() + " is outside [" + min + ", " + max + "]" + why);
        }
        return (int) value;
    }

    private static void requireHostPort(String name, String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        String port = colon < 0 ? "" : value.substring(colon + 1);
        boolean valid = !host.isBlank()
                && port.matches("[0-9]{1,5}")
                && Integer.parseInt(port) >= 1
                && Integer.parseInt(port) <= 65535;
        if (!valid) {
            throw new IllegalArgumentException(name + "='" + value + "' is not host:port with a port in [1, 65535]");
        }
    }
}
