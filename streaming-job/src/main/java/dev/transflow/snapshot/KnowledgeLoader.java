package dev.transflow.snapshot;

import dev.transflow.model.snapshot.SnapshotException;
import dev.transflow.model.snapshot.SnapshotStore;
import dev.transflow.model.train.ModuleWeights;
import dev.transflow.model.train.StreamingModel;
import dev.transflow.schemas.ModelKind;
import dev.transflow.schemas.ModelVersion;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Loads announced knowledge-model snapshots (MEM) on a background thread, so training never waits on disk: the
 * snapshot is verified (place, manifest checksum as announced, every file's sha256, kind, version, feature schema,
 * structure, finite weights) and its weights read into memory; the trainer picks the outcome up between two steps
 * with {@link #drain()}. When several versions are announced while one loads, only the newest is loaded.
 *
 * <p>A loader serves one knowledge kind and also keeps the version of it the trainer has applied (assigned to the
 * model), so that whatever reports the knowledge in use (a {@code Prediction}'s {@code knowledgeVersions}) asks
 * each loader rather than naming kinds.
 *
 * <p><b>An announcement is a claim; the store decides.</b> Whoever can write to {@code model.versions} can announce
 * any URI under any version number, so the loader trusts the snapshot store (the trainer's {@code snapshot.dir})
 * and accepts an announcement only where the store agrees with it:
 * <ul>
 *   <li>its URI ({@code file:} or a plain path) names the directory in which the store keeps the announced
 *       version, {@code <root>/<kind>/v<version>}, and that directory, with links resolved, lies inside the root;
 *   <li>the manifest there has the announced sha256 and names the announced kind and version, and every file it
 *       lists lies inside the directory and matches its sha256;
 *   <li>the weights fit the model (names, shapes) and are all finite.
 * </ul>
 * Version numbers are therefore the store's, not the announcer's. Publishers write only into the store and number
 * each version above everything in it, so the version a trainer uses can only rise to one a publisher wrote. An
 * invented version (a copy announced as {@code Long.MAX_VALUE}, say) names a directory the store does not have, or
 * one whose manifest says otherwise, and is rejected; and as the trainer ignores only announcements at or below the
 * version it uses, a rejected one holds no later version back. Whoever can write into the store root can publish,
 * so it should be writable by the publishing jobs only.
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

    private final ModelKind kind;
    private final StreamingModel model;
    private final String group;
    private final SnapshotStore store;
    private final ExecutorService executor;
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final List<ModelVersion> queued = new ArrayList<>();
    // Touched by the trainer's thread only: the loader's thread reads weights, the trainer decides what is applied.
    private long appliedVersion = -1;

    /**
     * @param kind the knowledge kind this loader loads, e.g. {@link ModelKind#MEM}
     * @param group the parameter group the snapshots provide, e.g. {@code mem}
     * @param store the store announced snapshots must lie in
     */
    public KnowledgeLoader(ModelKind kind, StreamingModel model, String group, SnapshotStore store, String threadName) {
        this(kind, model, group, store, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }));
    }

    /** Loads on {@code executor}, which must run one task at a time in submission order (tests control it). */
    KnowledgeLoader(ModelKind kind, StreamingModel model, String group, SnapshotStore store, ExecutorService executor) {
        this.kind = kind;
        this.model = model;
        this.group = group;
        this.store = store;
        this.executor = executor;
    }

    /**
     * Starts loading {@code announcement}. A request still queued when a higher version is announced after it is
     * skipped: the trainer wants the newest version, and loading the ones in between would only delay it. A lower
     * version announced later does not skip it, so an announcement is always either loaded (and accepted or
     * rejected) or overtaken by a newer one. Every request ends in exactly one {@link Outcome}. Only an
     * announcement that names an existing version directory of the store overtakes, so an invented version cannot
     * make the loader skip a genuine one.
     */
    public void request(ModelVersion announcement) {
        if (announcement.getModelKind() != kind) {
            throw new IllegalArgumentException("The " + kind + " loader got a " + announcement.getModelKind()
                    + " announcement (version " + announcement.getVersion() + "); route each kind to its own loader");
        }
        synchronized (queued) {
            queued.add(announcement);
        }
        executor.execute(() -> {
            List<ModelVersion> later;
            synchronized (queued) {
                queued.remove(announcement);
                // Tasks run in request order: what is still queued was requested after this one.
                later = queued.stream().filter(q -> q.getVersion() > announcement.getVersion()).toList();
            }
            Optional<ModelVersion> newer = later.stream().filter(this::inStore).findFirst();
            if (newer.isPresent()) {
                LOG.info("Skipped {} version {}: version {} was announced while it waited",
                        announcement.getModelKind(), announcement.getVersion(), newer.get().getVersion());
                outcomes.add(new Outcome(announcement, null, null));
            } else {
                outcomes.add(load(announcement));
            }
        });
    }

    private Outcome load(ModelVersion announcement) {
        try {
            Path dir = locate(announcement);
            SnapshotStore.Snapshot snapshot = store.read(announcement.getModelKind(), announcement.getVersion(),
                    null);
            if (!snapshot.manifestSha256().equals(announcement.getManifestSha256())) {
                throw new SnapshotException(dir + ": manifest sha256 " + snapshot.manifestSha256()
                        + " differs from the announced " + announcement.getManifestSha256());
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

    /**
     * The store's directory of the announced version, when the announcement names it (spelt differently, e.g.
     * through a link, is fine); otherwise why the announcement is rejected.
     */
    private Path locate(ModelVersion announcement) {
        long version = announcement.getVersion();
        if (version < 0) {
            throw new SnapshotException("version " + version + " cannot exist: publishers number versions from 0");
        }
        Path expected = store.directory(announcement.getModelKind(), version);
        Path named = path(announcement.getUri()).toAbsolutePath().normalize();
        if (!named.equals(expected) && !sameDirectory(named, expected)) {
            throw new SnapshotException("the announcement names " + announcement.getUri() + ", but the store keeps "
                    + announcement.getModelKind() + " version " + version + " in " + expected + "; a trainer takes "
                    + "snapshots from its own store only (" + SnapshotOptions.DIR.key() + " = " + store.root()
                    + "): give the publishing and the consuming job the same " + SnapshotOptions.DIR.key());
        }
        return expected;
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // one of them does not exist
        }
    }

    /** Whether the announcement names an existing version directory of the store (the cheap checks of a load). */
    private boolean inStore(ModelVersion announcement) {
        try {
            return Files.isDirectory(locate(announcement));
        } catch (SnapshotException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Path path(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            return Path.of(uri); // a plain path with characters a URI does not allow unescaped
        }
        if (parsed.getScheme() == null) {
            return Path.of(uri);
        }
        if (!"file".equals(parsed.getScheme())) {
            throw new IllegalArgumentException("Snapshot " + uri + " is on '" + parsed.getScheme()
                    + "'; this trainer reads snapshots from a shared local or mounted directory (file://)");
        }
        return Path.of(parsed);
    }

    /** The knowledge kind this loader loads. */
    public ModelKind kind() {
        return kind;
    }

    /** The version of {@link #kind()} whose weights the model holds, or -1 before the first was applied. */
    public long appliedVersion() {
        return appliedVersion;
    }

    /**
     * Records that the model now holds {@code version}'s weights: the trainer assigned an accepted outcome's
     * weights, or restored a checkpoint of a model that held them.
     */
    public void applied(long version) {
        appliedVersion = version;
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
