package dev.claimdesk.localdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal and snapshots under the local server: what comes back after a stop, a kill's torn write, damage, and the old file format. */
class DurableStoreTest {
    private static final String MAP = "databases.db.items";

    @TempDir
    Path dir;

    private final List<String> said = new ArrayList<>();

    /** Opens the folder folding every journal that held a change (the generations below follow that). */
    private DurableStore open() throws Exception {
        return DurableStore.open(dir, said::add, 0);
    }

    /** A change as the backend makes it: to the in-memory map, then to the journal. */
    private static void put(DurableStore store, String map, Object key, Object value) {
        store.memory().openMap(map).put(key, value);
        store.put(map, key, value);
    }

    private static void remove(DurableStore store, String map, Object key) {
        store.memory().openMap(map).remove(key);
        store.remove(map, key);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> !name.equals("LOCK")).sorted().toList();
        }
    }

    private static MVMap<Object, Object> map(DurableStore store, String name) {
        return store.memory().openMap(name);
    }

    @Test
    void anEmptyFolderGetsAFirstSnapshotAndJournal() throws Exception {
        try (DurableStore store = open()) {
            assertEquals(List.of("journal-1.log", "snapshot-1.dat"), files());
            assertTrue(store.memory().getMapNames().stream().noneMatch(name -> name.startsWith("databases.")));
        }
    }

    @Test
    void theJournalIsReplayedThenFoldedIntoTheNextSnapshot() throws Exception {
        try (DurableStore store = open()) {
            put(store, MAP, "a", new Document("_id", "a").append("n", 1));
            put(store, MAP, "b", new Document("_id", "b").append("n", 2));
            put(store, MAP, "a", new Document("_id", "a").append("n", 3));
            remove(store, MAP, "b");
            put(store, MAP, Missing.getInstance(), new Document("n", 4));
            put(store, "meta.db.items", "dataSize", 42L);
            put(store, "databases.db.gone", 1, new Document("_id", 1));
            store.drop("databases.db.gone");
            store.memory().removeMap("databases.db.gone");
            put(store, "databases.db.old", 1, new Document("_id", 1));
            store.memory().renameMap(store.memory().openMap("databases.db.old"), "databases.db.new");
            store.rename("databases.db.old", "databases.db.new");
            store.sync();
        }
        assertEquals(List.of("journal-1.log", "snapshot-1.dat"), files());

        try (DurableStore store = open()) {
            // replayed, then folded: generation 2, the first one's files gone
            assertEquals(List.of("journal-2.log", "snapshot-2.dat"), files());
            assertEquals(new Document("_id", "a").append("n", 3), map(store, MAP).get("a"));
            assertNull(map(store, MAP).get("b"));
            assertEquals(new Document("n", 4), map(store, MAP).get(Missing.getInstance()));
            assertEquals(42L, map(store, "meta.db.items").get("dataSize"));
            assertFalse(store.memory().hasMap("databases.db.gone"));
            assertFalse(store.memory().hasMap("databases.db.old"));
            assertEquals(new Document("_id", 1), map(store, "databases.db.new").get(1));
            put(store, MAP, "c", new Document("_id", "c"));
            store.sync();
        }

        try (DurableStore store = open()) {
            // the snapshot read whole, the new journal replayed on top
            assertEquals(List.of("journal-3.log", "snapshot-3.dat"), files());
            assertEquals(3, map(store, MAP).size());
            assertEquals(new Document("_id", "c"), map(store, MAP).get("c"));
        }

        try (DurableStore store = open()) {
            // nothing new in the journal: no new generation
            assertEquals(List.of("journal-3.log", "snapshot-3.dat"), files());
            assertEquals(3, map(store, MAP).size());
        }
    }

    @Test
    void aSmallJournalIsReplayedAndAppendedToWithoutRewritingTheSnapshot() throws Exception {
        try (DurableStore store = DurableStore.open(dir, said::add)) {
            put(store, MAP, "a", new Document("_id", "a"));
            store.sync();
        }
        try (DurableStore store = DurableStore.open(dir, said::add)) {
            // a few bytes of journal are not worth rewriting the snapshot for: same generation, appended to
            assertEquals(List.of("journal-1.log", "snapshot-1.dat"), files());
            assertEquals(new Document("_id", "a"), map(store, MAP).get("a"));
            put(store, MAP, "b", new Document("_id", "b"));
            store.sync();
        }
        try (DurableStore store = DurableStore.open(dir, said::add)) {
            assertEquals(List.of("journal-1.log", "snapshot-1.dat"), files());
            assertEquals(2, map(store, MAP).size());
        }
    }

    /** A change as a request makes it: under the gate, synced before the gate is let go. */
    private static void request(DurableStore store, Runnable change) {
        store.gate.readLock().lock();
        try {
            change.run();
            store.sync();
        } finally {
            store.gate.readLock().unlock();
        }
    }

    private void awaitFold() throws InterruptedException {
        for (int i = 0; i < 500 && said.stream().noneMatch(line -> line.startsWith("localdb: folded the journal (")); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void aRuntimeFoldLetsWritesGoOnWhileItWritesTheSnapshot() throws Exception {
        CountDownLatch cut = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        try (DurableStore store = DurableStore.open(dir, said::add, 0, 1024)) {
            store.afterCut = () -> {
                cut.countDown();
                try {
                    // the snapshot waits here until the test's write (below) has been made durable
                    assertTrue(written.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            request(store, () -> put(store, MAP, "a", new Document("_id", "a").append("text", "x".repeat(2000))));
            assertTrue(cut.await(10, TimeUnit.SECONDS), "a journal past the threshold starts a fold");
            // the fold has taken the maps' roots and is about to write the snapshot: a write goes through now
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                writer.submit(() -> request(store, () -> {
                    put(store, MAP, "b", new Document("_id", "b"));
                    put(store, MAP, "a", new Document("_id", "a").append("n", 2));
                })).get(5, TimeUnit.SECONDS);
            } finally {
                written.countDown();
                writer.shutdown();
            }
            awaitFold();
            assertTrue(said.stream().anyMatch(line -> line.matches("localdb: folded the journal \\(\\d+ KB\\) into snapshot 2 \\(\\d+ KB\\) in \\d+ ms; writes went on, held for \\d+ ms")), said.toString());
            assertEquals(List.of("journal-2.log", "snapshot-2.dat"), files());
        }
        try (DurableStore store = open()) {
            // snapshot 2 as it was at the cut, journal 2 with the write made during the fold
            assertEquals(new Document("_id", "a").append("n", 2), map(store, MAP).get("a"));
            assertEquals(new Document("_id", "b"), map(store, MAP).get("b"));
        }
    }

    @Test
    void aRuntimeFoldStoppedBeforeItsSnapshotWasNamedLosesNoWriteOfItsNewJournal() throws Exception {
        Path aside = Files.createTempDirectory("fold-aside");
        try (DurableStore store = DurableStore.open(dir, said::add, 1L << 30, 1024)) {
            // the files as they are when the fold takes the gate: journal 1 holds every change up to the cut
            store.gate.readLock().lock();
            try {
                put(store, MAP, "a", new Document("_id", "a").append("text", "x".repeat(2000)));
                store.sync();
                Files.copy(dir.resolve("snapshot-1.dat"), aside.resolve("snapshot-1.dat"));
                Files.copy(dir.resolve("journal-1.log"), aside.resolve("journal-1.log"));
            } finally {
                store.gate.readLock().unlock();
            }
            awaitFold();
            assertEquals(List.of("journal-2.log", "snapshot-2.dat"), files());
            request(store, () -> put(store, MAP, "b", new Document("_id", "b")));
        }
        // a kill while snapshot 2 was being written: only its temporary file, generation 1 still there, journal 2 acknowledged
        Files.move(dir.resolve("snapshot-2.dat"), dir.resolve("snapshot-2.dat.tmp"));
        Files.copy(aside.resolve("snapshot-1.dat"), dir.resolve("snapshot-1.dat"));
        Files.copy(aside.resolve("journal-1.log"), dir.resolve("journal-1.log"));
        try (DurableStore store = DurableStore.open(dir, said::add)) {
            assertEquals(2, map(store, MAP).size());
            assertEquals(new Document("_id", "b"), map(store, MAP).get("b"));
            // folded at once: no journal is left without the snapshot it follows
            assertEquals(List.of("journal-3.log", "snapshot-3.dat"), files());
        }
        try (DurableStore store = DurableStore.open(dir, said::add)) {
            assertEquals(2, map(store, MAP).size());
        }
    }

    @Test
    void aTornLastRecordIsCutAndEverythingBeforeItKept() throws Exception {
        try (DurableStore store = open()) {
            for (int i = 0; i < 10; i++) {
                put(store, MAP, i, new Document("_id", i));
            }
            store.sync();
        }
        Path journal = dir.resolve("journal-1.log");
        long whole = Files.size(journal);
        byte[] bytes = Files.readAllBytes(journal);
        // half of a copy of the last record: the write a kill interrupted
        Files.write(journal, java.util.Arrays.copyOfRange(bytes, bytes.length - 40, bytes.length - 15), StandardOpenOption.APPEND);

        try (DurableStore store = open()) {
            assertEquals(10, map(store, MAP).size());
            assertTrue(said.stream().anyMatch(line -> line.startsWith("localdb: cut 25 bytes of a write that was never acknowledged at the end of journal-1.log")), said.toString());
        }
        assertFalse(Files.exists(journal), "folded into generation 2");
        assertEquals(List.of("journal-2.log", "snapshot-2.dat"), files());
        assertTrue(whole > 0);
    }

    @Test
    void aDamagedRecordInTheMiddleStopsTheStartNamingTheFile() throws Exception {
        try (DurableStore store = open()) {
            for (int i = 0; i < 10; i++) {
                put(store, MAP, i, new Document("_id", i).append("text", "some text " + i));
            }
            store.sync();
        }
        Path journal = dir.resolve("journal-1.log");
        byte[] bytes = Files.readAllBytes(journal);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(journal, bytes);

        DurableStore.DamagedException damaged = assertThrows(DurableStore.DamagedException.class, this::open);
        assertTrue(damaged.getMessage().startsWith("the data file " + journal + " is damaged at byte "), damaged.getMessage());
        assertTrue(damaged.getMessage().contains("restore the folder " + dir + " from a backup, or move it away"), damaged.getMessage());
        assertFalse(damaged.getMessage().contains("\n"));
        // nothing was cut or rewritten
        assertEquals(List.of("journal-1.log", "snapshot-1.dat"), files());
        assertEquals(bytes.length, Files.size(journal));
    }

    @Test
    void aSnapshotThatDoesNotReadToItsEndIsDamaged() throws Exception {
        try (DurableStore store = open()) {
            put(store, MAP, 1, new Document("_id", 1));
            store.sync();
        }
        try (DurableStore store = open()) {
            assertEquals(1, map(store, MAP).size());
        }
        Path snapshot = dir.resolve("snapshot-2.dat");
        byte[] bytes = Files.readAllBytes(snapshot);
        Files.write(snapshot, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        DurableStore.DamagedException damaged = assertThrows(DurableStore.DamagedException.class, this::open);
        assertTrue(damaged.getMessage().startsWith("the data file " + snapshot + " is damaged"), damaged.getMessage());
    }

    @Test
    void aLeftoverTemporarySnapshotIsRemoved() throws Exception {
        try (DurableStore store = open()) {
            put(store, MAP, 1, new Document("_id", 1));
            store.sync();
        }
        Files.write(dir.resolve("snapshot-2.dat.tmp"), new byte[] {1, 2, 3});
        try (DurableStore store = open()) {
            assertEquals(1, map(store, MAP).size());
            assertEquals(List.of("journal-2.log", "snapshot-2.dat"), files());
        }
    }

    @Test
    void aSecondServerOnTheSameFolderIsRefused() throws Exception {
        try (DurableStore store = open()) {
            DurableStore.DamagedException refused = assertThrows(DurableStore.DamagedException.class, this::open);
            assertTrue(refused.getMessage().startsWith("another local database is already running on " + dir), refused.getMessage());
        }
    }

    @Test
    void theDataFileOfTheEarlierLauncherIsMigratedOnceAndKept() throws Exception {
        // the earlier launcher: mongo-java-server's H2 backend on an MVStore file
        Path legacy = dir.resolve("claimdesk.mv");
        MVStore file = new MVStore.Builder().fileName(legacy.toString()).open();
        H2Backend backend = new H2Backend(file);
        backend.version(LocalMongo.DECLARED_VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort())) {
            MongoCollection<org.bson.Document> claims = client.getDatabase("claimdesk").getCollection("claims");
            claims.createIndex(new org.bson.Document("number", 1), new IndexOptions().unique(true));
            for (int i = 1; i <= 50; i++) {
                claims.insertOne(new org.bson.Document("_id", i).append("number", String.format("2026-%06d", i)));
            }
        }
        server.shutdownNow();
        backend.close();
        file.close();

        try (PatchedServer patched = new PatchedServer(dir)) {
            MongoCollection<org.bson.Document> claims = patched.client.getDatabase("claimdesk").getCollection("claims");
            assertEquals(50, claims.countDocuments());
            assertEquals(7, claims.find(new org.bson.Document("number", "2026-000007")).first().getInteger("_id"));
            // the unique index came along: the number is still taken
            assertThrows(com.mongodb.MongoWriteException.class, () -> claims.insertOne(new org.bson.Document("_id", 51).append("number", "2026-000007")));
            claims.insertOne(new org.bson.Document("_id", 52).append("number", "2026-000052"));
        }
        assertTrue(said.stream().anyMatch(line -> line.equals("localdb: moved the data of claimdesk.mv into the journaled store; the old file is kept as claimdesk.mv.before-journal")), said.toString());
        assertFalse(Files.exists(legacy));
        assertTrue(Files.exists(dir.resolve("claimdesk.mv.before-journal")));

        // once: the next start reads the journal, not the old file
        said.clear();
        try (PatchedServer patched = new PatchedServer(dir)) {
            assertEquals(51, patched.client.getDatabase("claimdesk").getCollection("claims").countDocuments());
        }
        assertTrue(said.stream().noneMatch(line -> line.contains("moved the data")), said.toString());
    }

    /** The patched server on a folder, with a client. */
    private final class PatchedServer implements AutoCloseable {
        final DurableStore durable;
        final MongoServer server;
        final MongoClient client;

        PatchedServer(Path folder) throws Exception {
            durable = DurableStore.open(folder, said::add);
            H2Backend backend = LookupBackend.open(durable);
            backend.version(LocalMongo.DECLARED_VERSION);
            server = new MongoServer(backend);
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            client = MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.shutdownNow();
            durable.close();
        }
    }
}
