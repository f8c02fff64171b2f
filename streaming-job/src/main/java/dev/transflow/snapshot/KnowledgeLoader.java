package dev.transflow.snapshot;

import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.model.train.GraphModel;
import dev.transflow.model.train.ModuleWeights;
import dev.transflow.schemas.ModelVersion;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Loads announced knowledge-model snapshots (MEM) on a background thread, so training never waits on disk: the
 * snapshot is verified (manifest checksum as announced, every file's sha256, kind, feature schema, structure) and
 * its weights read into memory; the trainer picks the outcome up between two steps with {@link #drain()}. When
 * several versions are announced while one loads, only the newest is loaded.
 */
public final class KnowledgeLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeLoader.class);

    /**
     * What became of one request: a verified snapshot's weights, why the announcement was rejected, or (both null)
     * skipped because a newer version was announced while it waited.
     */
    public record Outcome(ModelVersion announcement, ModuleWeights weights, String rejection) {
        public boolean accepted() {
            return weights != null;
        }

        public boolean skipped() {
            return weights == null && rejection == null;
        }
    }

    private final GraphModel model;
    private final String group;
    private final ExecutorService executor;
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final List<ModelVersion> queued = new ArrayList<>();

    /** @param group the parameter group the snapshots provide, e.g. {@code mem} */
    public KnowledgeLoader(GraphModel model, String group, String threadName) {
        this.model = model;
        this.group = group;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts loading {@code announcement}. A request still queued when a higher version is announced after it is
     * skipped: the trainer wants the newest version, and loading the ones in between would only delay it. A lower
     * version announced later does not skip it, so an announcement is always either loaded (and accepted or
     * rejected) or overtaken by a newer one. Every request ends in exactly one {@link Outcome}.
     */
    public void request(ModelVersion announcement) {
        synchronized (queued) {
            queued.add(announcement);
        }
        executor.execute(() -> {
            boolean overtaken;
            synchronized (queued) {
                queued.remove(announcement);
                // Tasks run in request order: what is still queued was requested after this one.
                overtaken = queued.stream().anyMatch(q -> q.getVersion() > announcement.getVersion());
            }
            if (overtaken) {
                LOG.info("Skipped {} version {}: a newer version was announced while it waited",
                        announcement.getModelKind(), announcement.getVersion());
                outcomes.add(new Outcome(announcement, null, null));
            } else {
                outcomes.add(load(announcement));
            }
        });
    }

    private Outcome load(ModelVersion announcement) {
        try {
            Path dir = directory(announcement.getUri());
            SnapshotStore.Snapshot snapshot = SnapshotStore.read(dir, announcement.getModelKind(),
                    null);
            if (!snapshot.manifestSha256().equals(announcement.getManifestSha256())) {
                throw new SnapshotException(dir + ": manifest sha256 " + snapshot.manifestSha256()
                        + " differs from the announced " + announcement.getManifestSha256());
            }
            if (snapshot.manifest().version() != announcement.getVersion()) {
                throw new SnapshotException(dir + " holds version " + snapshot.manifest().version()
                        + ", the announcement says " + announcement.getVersion());
            }
            return new Outcome(announcement, model.readGroup(snapshot, group), null);
        } catch (SnapshotException | IllegalArgumentException e) {
            LOG.warn("Rejected {} version {} ({}): {}; the previous version stays in use",
                    announcement.getModelKind(), announcement.getVersion(), announcement.getUri(), e.getMessage());
            return new Outcome(announcement, null, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Rejected {} version {} ({}); the previous version stays in use", announcement.getModelKind(),
                    announcement.getVersion(), announcement.getUri(), e);
            return new Outcome(announcement, null, e.toString());
        }
    }

    private static Path directory(String uri) {
        URI parsed = URI.create(uri);
        if (parsed.getScheme() == null) {
            return Path.of(uri);
        }
        if (!"file".equals(parsed.getScheme())) {
            throw new IllegalArgumentException("Snapshot " + uri + " is on '" + parsed.getScheme()
                    + "'; this trainer reads snapshots from a shared local or mounted directory (file://)");
        }
        return Path.of(parsed);
    }

    /** Outcomes finished since the last call, oldest first. */
    public List<Outcome> drain() {
        List<Outcome> out = new ArrayList<>();
        for (Outcome o; (o = outcomes.poll()) != null; ) {
            out.add(o);
        }
        return out;
    }

    /** Waits until every requested load has finished (tests and orderly shutdown). */
    public void awaitIdle(long timeoutMillis) throws Exception {
        executor.submit(() -> { }).get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
