package dev.minima.data;

import ai.djl.basicdataset.cv.classification.Mnist;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.Repository;
import ai.djl.training.dataset.Dataset;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds DJL's own {@link Mnist} dataset on Minima's verified local copy (see {@link MnistFetcher}), so
 * MNIST goes through DJL's dataset API without DJL's download server.
 *
 * <p>When the data directory holds no MNIST copy at all, the dataset falls back to DJL's default repository
 * (DJL's usual download, which needs internet) and says so in the log. A copy that is present but fails
 * verification is refused with a {@link MnistDataException}: it is never used.
 *
 * <pre>{@code
 * Mnist test = MnistData.builder()
 *         .optUsage(Dataset.Usage.TEST)
 *         .setSampling(100, false)
 *         .build();
 * test.prepare(new ProgressBar());
 * }</pre>
 *
 * <p>Samples are as DJL gives them: data of shape (1, 28, 28) with values in [0, 1] (DJL's {@code ToTensor}
 * pipeline) and a scalar float label.
 */
public final class MnistData {

    private static final Logger logger = LoggerFactory.getLogger(MnistData.class);

    private MnistData() {}

    /**
     * Creates a builder.
     *
     * @return a builder for the training split, batch size 32, sequential sampling, the default data directory
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the verified local copy as a DJL repository, if there is one.
     *
     * @param dataDir the data directory, or {@code null} for the default
     * @return the repository, or empty if the data directory holds no MNIST copy
     * @throws MnistDataException if a copy is present but fails verification
     */
    public static Optional<Repository> localRepository(Path dataDir) throws MnistDataException {
        MnistLocalRepository.Check check = MnistLocalRepository.inspect(dataDir);
        switch (check.status()) {
            case VERIFIED:
                return Optional.of(Repository.newInstance(MnistLocalRepository.REPOSITORY_NAME, check.dataDir()));
            case ABSENT:
                return Optional.empty();
            default:
                throw MnistLocalRepository.corrupt(check);
        }
    }

    /** Builder of an MNIST {@link Mnist} dataset. */
    public static final class Builder {

        private Path dataDir;
        private Dataset.Usage usage = Dataset.Usage.TRAIN;
        private int batchSize = 32;
        private boolean random;
        private boolean dropLast;
        private long limit = Long.MAX_VALUE;
        private NDManager manager;
        private boolean fallbackToDjl = true;
        private Consumer<Mnist.Builder> customizer = b -> {};

        private Builder() {}

        /**
         * Sets the data directory (default: {@code $MINIMA_DATA}, else {@code ~/.minima/data}).
         *
         * @param dataDir the data directory, or {@code null} for the default
         * @return this builder
         */
        public Builder optDataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * Sets the split (default {@code TRAIN}).
         *
         * @param usage {@code TRAIN} or {@code TEST}
         * @return this builder
         */
        public Builder optUsage(Dataset.Usage usage) {
            MnistFile.images(Objects.requireNonNull(usage, "usage")); // rejects VALIDATION early
            this.usage = usage;
            return this;
        }

        /**
         * Sets batch size and order (default 32, sequential).
         *
         * @param batchSize examples per batch
         * @param random whether to shuffle
         * @return this builder
         */
        public Builder setSampling(int batchSize, boolean random) {
            return setSampling(batchSize, random, false);
        }

        /**
         * Sets batch size, order and whether to drop a last incomplete batch.
         *
         * @param batchSize examples per batch
         * @param random whether to shuffle
         * @param dropLast whether to drop the last batch if it is smaller than {@code batchSize}
         * @return this builder
         */
        public Builder setSampling(int batchSize, boolean random, boolean dropLast) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            this.random = random;
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Keeps only the first examples of the split.
         *
         * @param limit maximum number of examples
         * @return this builder
         */
        public Builder optLimit(long limit) {
            if (limit <= 0) {
                throw new IllegalArgumentException("limit must be positive, got " + limit);
            }
            this.limit = limit;
            return this;
        }

        /**
         * Sets the manager the dataset's arrays live in (DJL attaches them to a sub-manager of it); by default
         * DJL uses a new base manager of the default engine.
         *
         * @param manager the manager
         * @return this builder
         */
        public Builder optManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        /**
         * Sets whether a data directory without any MNIST copy falls back to DJL's default repository (default
         * {@code true}). With {@code false}, {@link #build()} throws instead. A corrupt copy never falls back.
         *
         * @param fallback whether to fall back
         * @return this builder
         */
        public Builder optFallbackToDjl(boolean fallback) {
            this.fallbackToDjl = fallback;
            return this;
        }

        /**
         * Applies further settings to DJL's builder just before it is built, for anything not covered here
         * (pipelines, batchifiers, device, prefetch).
         *
         * @param customizer receives DJL's {@link Mnist.Builder}
         * @return this builder
         */
        public Builder optCustomizer(Consumer<Mnist.Builder> customizer) {
            this.customizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * Builds the dataset (not yet prepared: call {@code prepare()} before use).
         *
         * @return DJL's MNIST dataset on the verified local copy, or on DJL's default repository
         * @throws MnistDataException if the local copy is corrupt, or absent while fallback is off
         */
        public Mnist build() throws MnistDataException {
            Path dir = MnistLocalRepository.resolveDataDir(dataDir);
            Optional<Repository> local = localRepository(dir);
            if (local.isEmpty()) {
                if (!fallbackToDjl) {
                    MnistLocalRepository.open(dir); // throws with the "run fetch-mnist" message
                }
                logger.info("No MNIST copy in {}: using DJL's default repository (downloads from DJL's server;"
                        + " run fetch-mnist to use a local copy instead).", dir);
            } else {
                logger.debug("Using the verified MNIST copy in {}", dir);
            }
            Mnist.Builder b = Mnist.builder();
            if (manager != null) {
                b.optManager(manager);
            }
            local.ifPresent(b::optRepository);
            b.optUsage(usage).setSampling(batchSize, random, dropLast);
            if (limit != Long.MAX_VALUE) {
                b.optLimit(limit);
            }
            customizer.accept(b);
            return b.build();
        }
    }
}
