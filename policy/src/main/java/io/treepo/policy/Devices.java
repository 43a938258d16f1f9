package io.treepo.policy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Where the policy runs: the first GPU when the engine sees one, else the CPU. The system property
 * {@code treepo.device} ({@code auto}, {@code cpu}, {@code gpu}) sets the default; {@code cpu}
 * forces the CPU even on a GPU machine.
 */
public final class Devices {
    public static final String PROPERTY = "treepo.device";
    /** The property DJL reads, once, when the engine starts, for the size of PyTorch's intra-op thread pool. */
    public static final String INTRA_OP_THREADS = "ai.djl.pytorch.num_threads";

    private Devices() {}

    /** The configured choice: the {@code treepo.device} property, {@code auto} when unset. */
    public static String configured() {
        return System.getProperty(PROPERTY, "auto");
    }

    public static void validate(String choice) {
        if (!choice.equals("auto") && !choice.equals("cpu") && !choice.equals("gpu")) {
            throw new IllegalArgumentException("device must be auto, cpu or gpu, got '" + choice + "'");
        }
    }

    public static Device resolve(String choice) {
        validate(choice);
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        return switch (choice) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (gpus == 0) throw new IllegalStateException("device gpu requested but the PyTorch engine sees no GPU");
                yield Device.gpu(0);
            }
            default -> gpus > 0 ? Device.gpu(0) : Device.cpu();
        };
    }

    /**
     * Sizes PyTorch's intra-op thread pool for the rest of the process, unless {@link #INTRA_OP_THREADS}
     * is set (an explicit setting wins). Unlike the property, this takes effect at any time, so a
     * process can pretrain with every core and then decode and train on one thread per caller.
     */
    public static void limitIntraOpThreads(int threads) {
        if (System.getProperty(INTRA_OP_THREADS) != null) {
            return;
        }
        Engine.getEngine("PyTorch"); // loads the native library JniUtils calls into
        JniUtils.setNumThreads(threads);
    }
}
